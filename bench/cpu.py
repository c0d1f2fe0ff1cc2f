"""CPU milliseconds per request, in one process, for a few read paths.

wrk's figures move with whatever else the machine runs; the processor time one
request costs does not (much). On SQLite the database runs inside the process, so
this is the whole cost of a request: Django, the queries and the serialisation.
(On PostgreSQL the server's share is not counted: use ``run.py`` there.)

    SELFWORK_DATA_DIR=DIR .venv/bin/python bench/cpu.py            # this checkout
    SELFWORK_DATA_DIR=DIR PYTHONPATH=/tmp/old .venv/bin/python bench/cpu.py
    SELFWORK_BENCH_CACHE=1 SELFWORK_DATA_DIR=DIR .venv/bin/python bench/cpu.py

``DIR`` holds a database seeded by ``selfwork bench seed``.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")
# Every request does its work: no page comes from the cache (1 to measure with it).
os.environ.setdefault("SELFWORK_BENCH_CACHE", "0")


def _seeded_words():
    """This checkout's loader (its words), even when PYTHONPATH serves older code."""
    import importlib.util

    location = Path(__file__).resolve().parent.parent / "selfwork/demo/bulk.py"
    spec = importlib.util.spec_from_file_location("bench_seeded_words", location)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def paths() -> dict[str, list[str]]:
    from selfwork.catalog.models import Listing

    words = _seeded_words()
    COMMON, ORDINARY, RARE = words.COMMON, words.ORDINARY, words.RARE  # noqa: N806

    api = "/api/v1/listings"
    ids = [
        str(i)
        for i in Listing.objects.order_by("pk").values_list("public_id", flat=True)[
            :: max(1, Listing.objects.count() // 200)
        ]
    ]
    return {
        "/healthz": ["/healthz"],
        "hello JSON": ["/bench/hello"],
        "search: common word": [f"{api}?q={w}" for w in COMMON],
        "search: rare word": [f"{api}?q={w}" for w in RARE[:40]],
        "search: prefix": [f"{api}?q={w[:3]}" for w in ORDINARY[:40]],
        "search: two words": [
            f"{api}?q={quote(c + ' ' + w)}" for c in COMMON for w in ORDINARY[:5]
        ],
        "search: filters": [
            f"{api}?q={w}&community=guild&mode=service" for w in COMMON
        ],
        "search: price sort": [f"{api}?q={w}&sort=price_asc" for w in COMMON],
        "newest listings": [api, f"{api}?community=guild", f"{api}?limit=12"],
        "filtered + price sort": [
            f"{api}?mode={m}&sort=price_asc&currency=EUR"
            for m in ("rental", "made_to_order", "service")
        ],
        "listing read": [f"{api}/{i}" for i in ids],
        "HTML home": ["/"],
        "HTML search page": [f"/search/?q={w}" for w in COMMON],
        "HTML listing page": [f"/listings/{i}/" for i in ids],
    }


def measure(client, urls: list[str], count: int) -> tuple[float, float]:
    """Return (CPU ms, wall ms) per request, medians of ``count`` requests."""
    for url in urls[:3]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    cpu, wall = [], []
    for n in range(count):
        url = urls[n % len(urls)]
        c0, w0 = time.process_time(), time.perf_counter()
        client.get(url)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main() -> int:
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for name, urls in paths().items():
        cpu_ms, wall_ms = measure(client, urls, 60)
        results[name] = {"cpu_ms": round(cpu_ms, 2), "wall_ms": round(wall_ms, 2)}
        print(f"{name:<26} {cpu_ms:>8.2f} CPU ms  {wall_ms:>8.2f} wall ms", flush=True)
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
