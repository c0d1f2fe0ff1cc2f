#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on 127.0.0.1.
# Usage: scripts/with-postgres.sh COMMAND...  (SELFWORK_DATABASE_URL is set for it)
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
workdir=$(mktemp -d /tmp/selfwork-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$workdir"
    as_postgres=(runuser -u postgres --)
fi

cleanup() {
    "${as_postgres[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT

"${as_postgres[@]}" "$bindir/initdb" -D "$workdir/data" --auth=trust -U selfwork -E UTF8 >/dev/null
# fsync off: a throwaway cluster for tests; production keeps every default.
"${as_postgres[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=600" \
    start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U selfwork selfwork

export SELFWORK_DATABASE_URL="postgresql://selfwork@127.0.0.1:$port/selfwork"
"$@"
