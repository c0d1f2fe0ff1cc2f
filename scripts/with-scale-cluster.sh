#!/usr/bin/env bash
# Run a command against the scaled-out topology, on 127.0.0.1, thrown away after:
# a PostgreSQL primary, a streaming replica of it (pg_basebackup -R) and PgBouncer
# in transaction pooling mode in front of both.
# Usage: scripts/with-scale-cluster.sh COMMAND...
# The command gets:
#   SELFWORK_DATABASE_URL          the primary, through PgBouncer
#   SELFWORK_DATABASE_REPLICA_URL  the replica, through PgBouncer
#   SELFWORK_DATABASE_POOLER=pgbouncer
#   SELFWORK_SCALE_PRIMARY_URL     the primary, direct (pg_dump, pgbench, checks)
#   SELFWORK_SCALE_REPLICA_URL     the replica, direct
#   SELFWORK_SCALE_PGBOUNCER_URL   PgBouncer's admin console
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
workdir=$(mktemp -d /tmp/selfwork-scale.XXXXXX)
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
primary_port=$(free_port)
replica_port=$(free_port)
bouncer_port=$(free_port)
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$workdir"
    as_postgres=(runuser -u postgres --)
fi
run() { "${as_postgres[@]}" "$@"; }

bouncer_pid=""
cleanup() {
    if [ -s "$workdir/pgbouncer.pid" ]; then kill "$(cat "$workdir/pgbouncer.pid")" 2>/dev/null || true; fi
    if [ -n "$bouncer_pid" ]; then kill "$bouncer_pid" 2>/dev/null || true; wait "$bouncer_pid" 2>/dev/null || true; fi
    run "$bindir/pg_ctl" -D "$workdir/replica" -m immediate stop >/dev/null 2>&1 || true
    run "$bindir/pg_ctl" -D "$workdir/primary" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT

# fsync off: a throwaway cluster for tests; production keeps every default.
fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
run "$bindir/initdb" -D "$workdir/primary" --auth=trust -U selfwork -E UTF8 --no-sync >/dev/null
cat >>"$workdir/primary/pg_hba.conf" <<EOF
host replication selfwork 127.0.0.1/32 trust
EOF
run "$bindir/pg_ctl" -D "$workdir/primary" -l "$workdir/primary.log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $primary_port -k $workdir $fast -c max_connections=300 -c wal_level=replica -c max_wal_senders=4 -c timezone=UTC" \
    start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$primary_port" -U selfwork selfwork

# The replica: a base backup that writes its own standby.signal and primary_conninfo.
run "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U selfwork \
    -D "$workdir/replica" -R -X stream --checkpoint=fast --no-sync >/dev/null
run "$bindir/pg_ctl" -D "$workdir/replica" -l "$workdir/replica.log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $replica_port -k $workdir $fast -c max_connections=300 -c hot_standby=on -c timezone=UTC" \
    start >/dev/null

# PgBouncer, transaction pooling: "selfwork_replica" is the replica, every other
# database name (selfwork, the tests' test_selfwork, postgres) the primary.
cat >"$workdir/pgbouncer.ini" <<EOF
[databases]
selfwork_replica = host=127.0.0.1 port=$replica_port dbname=selfwork
* = host=127.0.0.1 port=$primary_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir = $workdir
pool_mode = transaction
auth_type = trust
auth_file = $workdir/userlist.txt
admin_users = selfwork
max_client_conn = 1000
default_pool_size = 40
max_db_connections = 100
ignore_startup_parameters = extra_float_digits
logfile = $workdir/pgbouncer.log
pidfile = $workdir/pgbouncer.pid
EOF
echo '"selfwork" ""' >"$workdir/userlist.txt"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$workdir/pgbouncer.ini" "$workdir/userlist.txt"
run "$pgbouncer" -q "$workdir/pgbouncer.ini" &
bouncer_pid=$!
for _ in $(seq 50); do
    "$bindir/psql" -qAt -h 127.0.0.1 -p "$bouncer_port" -U selfwork selfwork -c 'SELECT 1' \
        >/dev/null 2>&1 && break
    sleep 0.1
done

export SELFWORK_DATABASE_URL="postgresql://selfwork@127.0.0.1:$bouncer_port/selfwork"
export SELFWORK_DATABASE_REPLICA_URL="postgresql://selfwork@127.0.0.1:$bouncer_port/selfwork_replica"
export SELFWORK_DATABASE_POOLER=pgbouncer
export SELFWORK_SCALE_PRIMARY_URL="postgresql://selfwork@127.0.0.1:$primary_port/selfwork"
export SELFWORK_SCALE_REPLICA_URL="postgresql://selfwork@127.0.0.1:$replica_port/selfwork"
export SELFWORK_SCALE_PGBOUNCER_URL="postgresql://selfwork@127.0.0.1:$bouncer_port/pgbouncer"
"$@"
