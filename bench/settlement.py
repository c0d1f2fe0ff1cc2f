"""Settlement throughput: exchanges paid, delivered and accepted through the services.

Four processes each drive commissions through the whole money path — order, pay
(the sandbox card: a charge and the escrow posting), deliver, accept (the release:
escrow to the provider's wallet, the fee to the platform) — for a fixed time, each
process with its own customer and provider. The same run then measures
``pgbench``'s TPC-B (``-c4 -j2``) on the same cluster, and reports settlement
transitions per second (pay, deliver and accept each count one) as a ratio to
pgbench's transactions per second. The books are audited afterwards.

    .venv/bin/python bench/settlement.py                 # a throwaway cluster
    .venv/bin/python bench/settlement.py --seconds 30 --label quiet

Results: ``bench/results/settlement/*.json`` and a section of ``bench/RESULTS.md``.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "settlement"
TARGET = 0.5  # issue 11 §2: settlement transitions/s ÷ pgbench TPC-B TPS
TRANSITIONS = ("pay", "deliver", "accept")


def _django(data_dir: str) -> None:
    os.environ["SELFWORK_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "selfwork.config.settings"
    import django

    django.setup()


def seed(processes: int) -> list[dict]:
    """A community, and per process a customer, a provider and a service listing."""
    from django.core.management import call_command
    from django.utils import timezone

    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    password = "a long enough passphrase"
    host = member_signup(
        username="host", email="host@example.com", password=password, now=now
    )
    community = community_create(
        creator=host,
        slug="bench",
        name="Bench Guild",
        now=now,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    pairs = []
    for i in range(processes):
        people = {}
        for role in ("customer", "provider"):
            member = member_signup(
                username=f"{role}{i}",
                email=f"{role}{i}@example.com",
                password=password,
                now=now,
            )
            community_join(community=community, member=member, now=now)
            people[role] = member.pk
        listing = listing_create(
            owner=type(host).objects.get(pk=people["provider"]),
            community=community,
            title=f"Portrait {i}",
            modes=[
                {
                    "mode": "service",
                    "packages": [
                        {
                            "name": "Sketch",
                            "price": {"amount": "40.00", "currency": "EUR"},
                            "delivery_days": 3,
                            "revisions": 1,
                        }
                    ],
                }
            ],
            now=now,
        )
        mode = listing.modes.get(mode="service")
        people["listing"] = listing.pk
        people["package"] = str(mode.packages.get().public_id)
        pairs.append(people)
    return pairs


def settle(pair: dict, seconds: float, start, counts) -> None:
    """One process: settle exchanges for ``seconds`` after ``start`` is released."""
    from django.db import connections
    from django.utils import timezone

    from selfwork.accounts.models import Member
    from selfwork.catalog.models import Listing
    from selfwork.exchanges import services
    from selfwork.payments.gateways import CARD_SUCCEEDS

    connections.close_all()  # the parent's connection is not this process's
    customer = Member.objects.get(pk=pair["customer"])
    provider = Member.objects.get(pk=pair["provider"])
    listing = Listing.objects.get(pk=pair["listing"])

    def one() -> None:
        now = timezone.now()
        exchange = services.exchange_order(
            listing=listing,
            customer=customer,
            mode="service",
            package=pair["package"],
            now=now,
        )
        for name, actor, params in (
            ("pay", customer, {"card": CARD_SUCCEEDS}),
            ("deliver", provider, {"note": "Done"}),
            ("accept", customer, {}),
        ):
            exchange = services.exchange_transition(
                exchange=exchange, actor=actor, name=name, params=params, now=now
            )
        assert exchange.state == "completed", exchange.state

    one()  # warm: the process definitions, the ledger accounts, the connection
    start.wait()
    settled = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        one()
        settled += 1
    counts.put(settled)
    connections.close_all()


def drive(pairs: list[dict], seconds: float) -> dict:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(len(pairs) + 1)
    counts = context.Queue()
    workers = [
        context.Process(target=settle, args=(pair, seconds, start, counts))
        for pair in pairs
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.monotonic()
    settled = [counts.get(timeout=seconds + 120) for _ in workers]
    elapsed = time.monotonic() - began
    for worker in workers:
        worker.join(timeout=30)
    if any(w.exitcode != 0 for w in workers):
        raise SystemExit(f"a settling process failed: {[w.exitcode for w in workers]}")
    exchanges = sum(settled)
    return {
        "processes": len(pairs),
        "seconds": round(elapsed, 2),
        "exchanges_settled": exchanges,
        "exchanges_per_s": round(exchanges / elapsed, 1),
        "transitions_per_s": round(exchanges * len(TRANSITIONS) / elapsed, 1),
        "per_process": settled,
    }


def audit() -> dict:
    from selfwork.ledger.audit import ledger_audit
    from selfwork.payments.audit import payments_audit_checks

    report = ledger_audit(extra_checks=payments_audit_checks())
    return {"ok": report.ok, "report": "" if report.ok else report.render()[:2000]}


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else name


def pgbench(url: str, seconds: float, scale: int) -> dict:
    """TPC-B by pgbench, 4 clients on 2 threads, on its own database of the cluster."""
    parts = urlsplit(url)
    conn = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    conn += ["-U", parts.username or "postgres"]
    subprocess.run(
        [_pg_bin("createdb"), *conn, "selfwork_pgbench"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [_pg_bin("pgbench"), *conn, "-i", "-q", "-s", str(scale), "selfwork_pgbench"],
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [_pg_bin("pgbench"), *conn, "-c4", "-j2", "-T", str(int(seconds)), "-n"]
        + ["selfwork_pgbench"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+) \(without initial", out).group(1))  # type: ignore[union-attr]
    return {
        "command": f"pgbench -c4 -j2 -T{int(seconds)} -n (TPC-B, scale {scale})",
        "tps": tps,
    }


def server_facts() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        settings = {}
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    load = os.getloadavg()
    return {
        "engine": f"PostgreSQL {version}",
        "settings": settings,
        "cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in load],
    }


def results_section() -> str:
    """The settlement runs as a table for bench/RESULTS.md."""
    reports = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    if not reports:
        return ""
    lines = [
        "## Settlement throughput (`bench/settlement.py`)",
        "",
        "Commissions paid, delivered and accepted through the services by 4 "
        "processes on PostgreSQL; pgbench TPC-B `-c4 -j2` on the same cluster in "
        "the same run. Target: transitions/s ÷ pgbench TPS ≥ 0.5.",
        "",
        "| run | at | exchanges/s | transitions/s | pgbench TPS | ratio | target | "
        "load avg | books |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for r in reports:
        s = r["settlement"]
        lines.append(
            f"| {r['label']} | {r['at']} | {s['exchanges_per_s']:,.1f} | "
            f"{s['transitions_per_s']:,.1f} | {r['pgbench']['tps']:,.1f} | "
            f"{r['ratio']:.3f} | {r['target']} | "
            f"{', '.join(str(x) for x in r['server']['load_average_at_start'])} | "
            f"{'audit clean' if r['audit']['ok'] else 'AUDIT FAILED'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--pgbench-scale", type=int, default=4)
    parser.add_argument("--label", default="latest", help="names the results file")
    args = parser.parse_args()
    url = os.environ.get("SELFWORK_DATABASE_URL", "")
    if not url.startswith("postgres"):
        # A throwaway cluster for the run, on this machine.
        script = str(ROOT / "scripts" / "with-postgres.sh")
        return subprocess.call([script, sys.executable, *sys.argv])
    _django(tempfile.mkdtemp(prefix="selfwork-settlement-"))
    print(f"Seeding {args.processes} customer/provider pairs …", flush=True)
    pairs = seed(args.processes)
    server = server_facts()
    print(
        f"Settling for {args.seconds:.0f} s in {args.processes} processes …", flush=True
    )
    settlement = drive(pairs, args.seconds)
    print(
        f"  {settlement['exchanges_per_s']:.1f} exchanges/s, "
        f"{settlement['transitions_per_s']:.1f} transitions/s",
        flush=True,
    )
    books = audit()
    print(f"  books: {'audit clean' if books['ok'] else books['report']}", flush=True)
    print("pgbench TPC-B -c4 -j2 on the same cluster …", flush=True)
    baseline = pgbench(url, args.seconds, args.pgbench_scale)
    ratio = settlement["transitions_per_s"] / baseline["tps"]
    print(f"  {baseline['tps']:.1f} TPS; ratio {ratio:.3f}", flush=True)
    report = {
        "label": args.label,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "server": server,
        "settlement": settlement,
        "audit": books,
        "pgbench": baseline,
        "ratio": round(ratio, 3),
        "target": f"{'met' if ratio >= TARGET else 'MISSED'} (≥ {TARGET})",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"postgres-{args.label}.json").write_text(
        json.dumps(report, indent=2) + "\n"
    )
    sys.path.insert(0, str(BENCH))
    from run import results_markdown  # the read bench's page, with this section

    (BENCH / "RESULTS.md").write_text(results_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
