"""Throughput of the main read paths, as ratios to a baseline measured in the same run.

Starts ``selfwork serve`` (gunicorn, 2 sync workers) on a fresh data directory with
generated listings, then drives each path from a few client threads for a fixed
time. The baseline is ``/healthz`` (one ``SELECT 1``): a ratio of 0.25 means the
path serves a quarter of the requests a bare database round trip does.

    make bench                      # SQLite
    scripts/with-postgres.sh .venv/bin/python bench/run.py   # PostgreSQL
"""

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(count: int) -> str:
    """Create ``count`` listings through the services; return one listing id."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join

    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    host = member_signup(
        username="benchhost",
        email="h@example.com",
        password="bench-password-2026",
        now=now,
    )
    community = community_create(creator=host, slug="bench", name="Bench", now=now)
    owners = []
    for i in range(20):
        owner = member_signup(
            username=f"bench{i}",
            email=f"b{i}@example.com",
            password="bench-password-2026",
            now=now,
        )
        community_join(community=community, member=owner, now=now)
        owners.append(owner)
    words = ["portrait", "drill", "camera", "bag", "logo", "cover", "tent", "lesson"]
    first = None
    for i in range(count):
        word = words[i % len(words)]
        mode = [
            {
                "mode": "made_to_order",
                "price": {"amount": f"{10 + i % 90}.00", "currency": "EUR"},
            },
            {
                "mode": "rental",
                "price": {"amount": f"{5 + i % 20}.00", "currency": "EUR"},
                "unit": "day",
                "deposit": {"amount": "50.00", "currency": "EUR"},
            },
            {"mode": "gift"},
        ][i % 3]
        listing = listing_create(
            owner=owners[i % len(owners)],
            community=community,
            now=now + dt.timedelta(minutes=i),
            title=f"{word.title()} number {i}",
            description=f"A {word} offered by a neighbour.",
            tags=[word],
            modes=[mode],
        )
        first = first or str(listing.public_id)
    return first or ""


def drive(port: int, path: str, seconds: float, threads: int) -> float:
    """Return requests per second for GET ``path`` (only 200s count)."""
    done = [0] * threads
    failures = [0] * threads
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                done[n] += 1
            else:
                failures[n] += 1

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if sum(failures):
        print(f"  {path}: {sum(failures)} non-200 responses", file=sys.stderr)
    return sum(done) / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="selfwork-bench-")
    os.environ["SELFWORK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfwork.config.settings")
    engine = (
        "postgresql"
        if os.environ.get("SELFWORK_DATABASE_URL", "").startswith("postgres")
        else "sqlite"
    )
    print(f"Seeding {args.listings} listings on {engine} …")
    listing_id = seed(args.listings)

    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "selfwork"), "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "SELFWORK_DATA_DIR": data_dir},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)
        paths = {
            "baseline: /healthz (SELECT 1)": "/healthz",
            "API newest listings (24)": "/api/v1/listings",
            "API full-text search": "/api/v1/listings?q=portrait",
            "API filtered, price sort": "/api/v1/listings?mode=rental&sort=price_asc&currency=EUR",
            "API deep keyset page": None,
            "API listing read": f"/api/v1/listings/{listing_id}",
        }
        # A cursor ten pages deep: keyset pages should cost what the first does.
        cursor = None
        for _ in range(10):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request(
                "GET", "/api/v1/listings" + (f"?cursor={cursor}" if cursor else "")
            )
            cursor = json.loads(conn.getresponse().read())["next"]
        paths["API deep keyset page"] = f"/api/v1/listings?cursor={cursor}"
        results = {}
        for name, path in paths.items():
            results[name] = drive(port, path, args.seconds, args.threads)
        baseline = results["baseline: /healthz (SELECT 1)"]
        print(f"\n{'path':<34} {'req/s':>9} {'ratio':>7}")
        for name, rate in results.items():
            print(f"{name:<34} {rate:>9.0f} {rate / baseline:>7.2f}")
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        report = {
            "engine": engine,
            "listings": args.listings,
            "req_per_s": results,
            "ratio_to_baseline": {k: v / baseline for k, v in results.items()},
        }
        (out / f"latest-{engine}.json").write_text(json.dumps(report, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
