"""Throughput and latency of the read paths, as ratios to baselines of the same run.

Bulk-loads a fresh database (``selfwork bench seed``), serves it with gunicorn
(2 sync workers) and drives each path with ``wrk`` (2 threads, 16 connections,
fixed duration). Baselines: ``/healthz`` (one ``SELECT 1``) and ``/bench/hello``
(Django with no database). "Cold" paths rotate through many URLs, so no request
repeats the one before; "mix" replays popular and rare requests together. Each
path reports req/s, p50, p99 and its ratio to ``/healthz``; the run reports the
RSS of each web worker afterwards. Results: ``bench/results/*.json`` and
``bench/RESULTS.md``.

    make bench                                         # 10k listings, SQLite
    .venv/bin/python bench/run.py --listings 100000 --engine postgres
    .venv/bin/python bench/run.py --label before --app-dir /tmp/old-checkout
    .venv/bin/python bench/run.py --label nocache --no-cache   # every request cold
    .venv/bin/python bench/run.py --listings 1000000 --seeded /tmp/market-1m

``--seeded DIR`` serves a database seeded before (``selfwork bench seed
--listings N --customer-file DIR/customer.json`` with ``SELFWORK_DATA_DIR=DIR``,
and ``SELFWORK_DATABASE_URL`` for PostgreSQL), so the larger sizes are loaded once
and measured many times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
BASELINE = "baseline: /healthz"


@dataclass
class Path_:
    """One benchmarked path: the URLs wrk rotates through, and its target."""

    name: str
    urls: list[str]
    group: str = ""
    headers: tuple[str, str] | None = None
    result: dict = field(default_factory=dict)


# Targets of issue 11 §2: the least ratio to /healthz, and the most p99 (ms).
TARGETS = {
    "search": (0.2, 30.0),
    "search-mix": (0.5, None),
    "list": (0.25, None),
    "read": (0.4, None),
    "html": (0.15, None),
    "mix": (0.5, None),
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def seed(listings: int, data_dir: str, env: dict) -> dict:
    """Bulk-load the database; return the ordering customer's token and orders."""
    customer_file = Path(data_dir) / "customer.json"
    subprocess.run(
        [
            str(BIN / "selfwork"),
            "bench",
            "seed",
            "--listings",
            str(listings),
            "--customer-file",
            str(customer_file),
        ],
        env=env,
        check=True,
    )
    return json.loads(customer_file.read_text())


def sample_rows(env: dict) -> dict:
    """Listing ids, communities and categories to rotate through (read in-process)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from selfwork.catalog.models import Listing
    from selfwork.communities.models import Category, Community

    ids = list(
        Listing.objects.filter(status="active")
        .order_by("?")
        .values_list("public_id", flat=True)[:500]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()"
            if connection.vendor == "sqlite"
            else "SHOW server_version"
        )
        version = cursor.fetchone()[0]
    return {
        "listings": [str(i) for i in ids],
        "communities": list(Community.objects.values_list("slug", flat=True)),
        "categories": sorted(set(Category.objects.values_list("slug", flat=True))),
        "engine_version": f"{connection.vendor} {version}",
        "listing_count": Listing.objects.count(),
    }


def machine_facts(engine_version: str) -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "engine": engine_version,
        "python_sqlite": sqlite3.sqlite_version,
        "python": platform.python_version(),
        "wrk": (wrk.stdout or wrk.stderr).split("\n")[0].strip(),
        "kernel": platform.release(),
    }


def search_terms() -> dict[str, list[str]]:
    """Words of each selectivity the seeder wrote (see ``selfwork.demo.bulk``)."""
    from selfwork.demo.bulk import COMMON, ORDINARY, RARE

    rng = random.Random(11)
    return {
        "rare": RARE,
        "common": COMMON,
        "prefix": sorted({w[:3] for w in ORDINARY + COMMON}),
        "two words": [f"{rng.choice(COMMON)} {w}" for w in ORDINARY],
        "no match": [f"qqx{n}zz" for n in range(200)],
    }


def deep_cursors(port: int, urls: list[str]) -> list[str]:
    """The URL of the tenth page of each of ``urls``, following ``next``."""
    deep = []
    for url in urls:
        page = url
        for _ in range(9):
            status, body = get(port, page)
            following = json.loads(body)["next"] if status == 200 else None
            if not following:
                break
            page = url + ("&" if "?" in url else "?") + f"cursor={following}"
        deep.append(page)
    return deep


def paths_to_drive(port: int, rows: dict, customer: dict) -> list[Path_]:
    terms = search_terms()
    listings, communities = rows["listings"], rows["communities"]
    modes = ["made_to_order", "service", "rental", "gift", "swap", "lend"]
    api = "/api/v1/listings"
    paths = [
        Path_(BASELINE, ["/healthz"]),
        Path_("baseline: Django hello JSON", ["/bench/hello"]),
        Path_("search 'portrait' (one URL)", [f"{api}?q=portrait"], "search"),
    ]
    for kind, words in terms.items():
        paths.append(
            Path_(
                f"search cold: {kind}",
                [f"{api}?q={quote(w)}" for w in words],
                "search",
            )
        )
    paths += [
        Path_(
            "search cold: with filters",
            [
                f"{api}?q={w}&community={c}&mode={m}"
                for w in terms["common"]
                for c in communities
                for m in modes
            ],
            "search",
        ),
        Path_(
            "search cold: price sort",
            [f"{api}?q={w}&sort=price_asc" for w in terms["common"]]
            + [f"{api}?q={w}&sort=price_desc" for w in terms["common"]],
            "search",
        ),
        Path_(
            "search cold: deep cursor (page 10)",
            deep_cursors(port, [f"{api}?q={w}" for w in terms["common"]]),
            "search",
        ),
        Path_("newest listings (one URL)", [api], "list"),
        Path_(
            "newest cold: communities, categories, pages",
            [f"{api}?community={c}" for c in communities]
            + [f"{api}?category={c}" for c in rows["categories"]]
            + deep_cursors(port, [api, f"{api}?limit=12"]),
            "list",
        ),
        Path_(
            "filtered + price sort cold",
            [
                f"{api}?mode={m}&sort={s}&currency={c}"
                for m in modes
                for s in ("price_asc", "price_desc")
                for c in ("EUR", "GBP", "USD")
            ],
            "list",
        ),
        Path_("listing read cold", [f"{api}/{i}" for i in listings], "read"),
        Path_(
            "exchange read cold",
            [f"/api/v1/exchanges/{e}" for e in customer["exchanges"]],
            "read",
            headers=("Authorization", f"Bearer {customer['token']}"),
        ),
        Path_("HTML home", ["/"], "html"),
        Path_(
            "HTML search page cold",
            [f"/search/?q={quote(w)}" for w in terms["two words"] + terms["rare"]],
            "html",
        ),
        Path_("HTML listing page cold", [f"/listings/{i}/" for i in listings], "html"),
    ]
    paths.append(Path_("mix", mix(paths), "mix"))
    return paths


def mix(paths: list[Path_]) -> list[str]:
    """Popular requests often, rare ones once: the first URLs of each path weigh most."""
    rng = random.Random(7)
    urls: list[str] = []
    for p in paths:
        if p.group in ("", "mix") or p.headers:
            continue
        popular = p.urls[:3]
        urls += popular * 10 + rng.sample(p.urls, min(len(p.urls), 20))
    rng.shuffle(urls)
    return urls


def drive(port: int, path: Path_, seconds: float, connections: int) -> dict:
    """Run wrk on ``path`` and return its counts and latency percentiles."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(path.urls) + "\n")
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk.lua"),
        f"http://127.0.0.1:{port}",
        "--",
        f.name,
        *(path.headers or ()),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    return {
        "req_per_s": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "requests": raw["requests"],
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
        "distinct_urls": len(path.urls),
        # Of the answers that could be cached (anonymous pages of listings).
        "cache_hit_rate": round(raw["cache_hits"] / cached, 3)
        if (cached := raw["cache_hits"] + raw["cache_misses"])
        else None,
    }


def worker_rss_mb(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    sizes = []
    for pid in children.split():
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        sizes.append(round(kb / 1024, 1))
    return sizes


def verdict(group: str, ratio: float, p99: float) -> str:
    if group not in TARGETS:
        return ""
    least, most_p99 = TARGETS[group]
    wanted = f"≥ {least}" + (f", p99 ≤ {most_p99:g} ms" if most_p99 else "")
    met = ratio >= least and (most_p99 is None or p99 <= most_p99)
    return f"{'met' if met else 'MISSED'} ({wanted})"


def serve(port: int, env: dict, app_dir: str | None) -> subprocess.Popen:
    python_path = [str(BENCH)] + ([app_dir] if app_dir else [])
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join(reversed(python_path)),
    }
    # Sync workers (one thread each): the fast path on this machine.
    server = subprocess.Popen(
        [sys.executable, "-m", "selfwork.cli", "serve", "--port", str(port)]
        + ["--workers", "2", "--threads", "1"],
        env=server_env,
        cwd=app_dir or str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def run(args: argparse.Namespace) -> dict:
    data_dir = args.seeded or tempfile.mkdtemp(prefix="selfwork-bench-")
    env = {
        **os.environ,
        "SELFWORK_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "selfwork.config.settings",
        "SELFWORK_CONN_MAX_AGE": "600",
    }
    if args.no_cache:
        # Every request does its whole work: the "cold" rows are cold for sure.
        env["SELFWORK_BENCH_CACHE"] = "0"
    started = time.monotonic()
    if args.seeded:
        customer = json.loads((Path(data_dir) / "customer.json").read_text())
        seeded_in = None
    else:
        print(f"Seeding {args.listings} listings on {args.engine} …", flush=True)
        customer = seed(args.listings, data_dir, env)
        seeded_in = time.monotonic() - started
    rows = sample_rows(env)
    if rows["listing_count"] != args.listings:
        raise SystemExit(
            f"the database holds {rows['listing_count']} listings, not {args.listings}"
        )
    port = free_port()
    server = serve(port, env, args.app_dir)
    try:
        paths = [
            p
            for p in paths_to_drive(port, rows, customer)
            if not args.only or args.only in p.name or p.name.startswith("baseline")
        ]
        for path in paths:
            for url in path.urls[:3]:  # warm up; a broken URL fails loudly here
                status, _ = get(port, url, dict([path.headers]) if path.headers else {})
                if status != 200:
                    raise SystemExit(f"{path.name}: {url} answered {status}")
            path.result = drive(port, path, args.seconds, args.connections)
            print(
                f"  {path.name:<46} {path.result['req_per_s']:>8.0f} req/s  "
                f"p99 {path.result['p99_ms']:>7.1f} ms",
                flush=True,
            )
        rss = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=15)
    baseline = paths[0].result["req_per_s"]
    for path in paths:
        ratio = path.result["req_per_s"] / baseline
        path.result["ratio"] = round(ratio, 3)
        path.result["target"] = verdict(path.group, ratio, path.result["p99_ms"])
    return {
        "label": args.label,
        "engine": args.engine,
        "listings": args.listings,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=args.app_dir or ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        or "(not a git checkout)",
        "server": "gunicorn, 2 sync workers"
        + (", page cache off" if args.no_cache else ""),
        "load": f"wrk -t2 -c{args.connections} -d{args.seconds}s",
        "seed_seconds": None if seeded_in is None else round(seeded_in, 1),
        "machine": machine_facts(rows["engine_version"]),
        "rss_mb_per_worker": rss,
        "rss_target": "met (≤ 150 MB)" if max(rss) <= 150 else "MISSED (≤ 150 MB)",
        "paths": {p.name: {"group": p.group, **p.result} for p in paths},
    }


def _share(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def table(report: dict) -> str:
    seeded = (
        "database seeded before the run"
        if report["seed_seconds"] is None
        else f"seeded in {report['seed_seconds']} s"
    )
    lines = [
        f"### {report['label']}: {report['engine']}, {report['listings']:,} listings",
        "",
        f"{report['at']}, commit {report['commit']}, {report['server']}, "
        f"`{report['load']}`; {seeded}; RSS per worker "
        f"after the run: {', '.join(f'{r} MB' for r in report['rss_mb_per_worker'])} "
        f"— {report['rss_target']}.",
        "",
        "| path | req/s | p50 ms | p99 ms | ratio | target | cache hits |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for name, r in report["paths"].items():
        errors = f" ({r['non_2xx']} non-2xx)" if r["non_2xx"] else ""
        lines.append(
            f"| {name}{errors} | {r['req_per_s']:,.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['ratio']:.3f} | {r['target']} | "
            f"{_share(r.get('cache_hit_rate'))} |"
        )
    return "\n".join(lines)


def comparison(before: dict, after: dict) -> str:
    lines = [
        f"### Before → after: {after['engine']}, {after['listings']:,} listings",
        "",
        "| path | req/s before | req/s after | × | p99 ms before | p99 ms after "
        "| ratio before | ratio after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, a in after["paths"].items():
        b = before["paths"].get(name)
        if b is None:
            continue
        lines.append(
            f"| {name} | {b['req_per_s']:,.0f} | {a['req_per_s']:,.0f} | "
            f"{a['req_per_s'] / max(b['req_per_s'], 0.1):.1f} | {b['p99_ms']:.1f} | "
            f"{a['p99_ms']:.1f} | {b['ratio']:.3f} | {a['ratio']:.3f} |"
        )
    return "\n".join(lines)


def results_markdown() -> str:
    """RESULTS.md from every results file: the facts, comparisons, then each run."""
    reports = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    if not reports:
        return ""
    facts = reports[-1]["machine"]
    parts = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py` from `bench/results/*.json`, with the notes "
        "of `bench/NOTES.md`.",
        "",
        f"Machine: {facts['cores']} cores ({facts['cpu']}), {facts['memory_gb']} GB, "
        f"Linux {facts['kernel']}, Python {facts['python']}, SQLite "
        f"{facts['python_sqlite']}, {facts['wrk']}. Engine versions per run below.",
        "",
    ]
    notes = BENCH / "NOTES.md"
    if notes.exists():
        parts += [notes.read_text(), ""]
    by_key = {(r["engine"], r["listings"], r["label"]): r for r in reports}
    for (engine, listings, label), after in sorted(by_key.items()):
        before = by_key.get((engine, listings, "before"))
        if label == "after" and before:
            parts += [comparison(before, after), ""]
    for report in reports:
        parts += [table(report), f"\nEngine: {report['machine']['engine']}.", ""]
    from settlement import results_section  # bench/settlement.py, the write path

    if section := results_section():
        parts += [section, ""]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--label", default="latest", help="names the results file")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="serve with the page cache off (a dummy cache), so nothing is a hit",
    )
    parser.add_argument(
        "--only",
        metavar="WORDS",
        help="drive only the paths whose name contains WORDS (and the baselines)",
    )
    parser.add_argument(
        "--seeded",
        metavar="DIR",
        help="serve the database seeded before in DIR instead of seeding one",
    )
    parser.add_argument(
        "--app-dir",
        help="serve the code of this checkout instead (for 'before' figures)",
    )
    args = parser.parse_args()
    on_postgres = os.environ.get("SELFWORK_DATABASE_URL", "").startswith("postgres")
    if args.engine == "postgres" and not on_postgres:
        # A throwaway cluster for the run, on this machine.
        script = str(ROOT / "scripts" / "with-postgres.sh")
        return subprocess.call([script, sys.executable, *sys.argv])
    if args.engine == "sqlite" and on_postgres:
        os.environ.pop("SELFWORK_DATABASE_URL")
    report = run(args)
    RESULTS.mkdir(exist_ok=True)
    name = f"{args.engine}-{args.listings}-{args.label}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n")
    (BENCH / "RESULTS.md").write_text(results_markdown())
    print()
    print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
