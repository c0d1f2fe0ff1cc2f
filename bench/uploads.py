"""Worst-case image uploads against gunicorn: does the server stay responsive?

Starts ``selfwork serve`` (gunicorn, 2 workers of 4 threads) on a fresh data directory,
signs up 16 members through the API and has each upload a small PNG that declares
many pixels, all at once and several times in a row. Meanwhile one thread polls
``/healthz`` and another samples the resident memory of every gunicorn worker.

The target (hardening issue, item 8): ``/healthz`` p99 under 200 ms and every worker
under 300 MB while 16 worst-case uploads run.

    make bench                                   # runs this after bench/run.py
    .venv/bin/python bench/uploads.py --side 6324      # the issue's file
    .venv/bin/python bench/uploads.py                  # the largest PNG the cap allows
"""

import argparse
import io
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worst_png(side: int) -> bytes:
    """A ``side`` × ``side`` RGB PNG that compresses to almost nothing.

    A few stripes keep the encoder honest; a 6324-pixel square comes out at about
    the 132 KB of the issue's report.
    """
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (side, side), (200, 180, 150))
    draw = ImageDraw.Draw(image)
    for x in range(0, side, 97):
        draw.line([(x, 0), (side - x, side)], fill=(40, 90, 160), width=3)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=9)
    return out.getvalue()


def request(port: int, method: str, path: str, body: bytes = b"", headers=None):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def signup(port: int, n: int) -> str:
    body = json.dumps(
        {
            "username": f"uploader{n}",
            "email": f"uploader{n}@example.com",
            "password": "bench-password-2026",
        }
    ).encode()
    status, data = request(
        port,
        "POST",
        "/api/v1/auth/signup",
        body,
        {"Content-Type": "application/json"},
    )
    if status != 201:
        raise SystemExit(f"signup failed: {status} {data[:200]!r}")
    return json.loads(data)["token"]


def multipart(data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="worst.png"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in children.split()]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--side",
        type=int,
        default=0,
        help="side of the square PNG; default: the largest the pixel cap allows",
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="uploads per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="per worker (1: sync workers)"
    )
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="selfwork-bench-uploads-")
    env = {
        **os.environ,
        "SELFWORK_DATA_DIR": data_dir,
        # Sixteen members signed up and uploading from one address: the bench
        # measures decoding, not the throttles that would refuse most of it.
        "SELFWORK_THROTTLE_SIGNUP": "1000/hour",
        "SELFWORK_THROTTLE_UPLOADS": "10000/hour",
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "selfwork.config.settings")
    side = args.side
    if not side:
        cap = subprocess.run(
            [
                str(BIN / "python"),
                "-c",
                "import django; django.setup(); from django.conf import settings; "
                "print(settings.UPLOAD_MAX_PIXELS)",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        side = math.isqrt(int(cap))
    png = worst_png(side)
    body, content_type = multipart(png)
    print(
        f"{args.clients} clients × {args.rounds} uploads of a {side}×{side} PNG "
        f"({len(png) / 1024:.0f} KB, {side * side / 1e6:.1f} Mpx)"
    )
    subprocess.run([str(BIN / "selfwork"), "migrate", "--quiet"], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "selfwork"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                request(port, "GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        tokens = [signup(port, n) for n in range(args.clients)]
        time.sleep(0.5)
        idle_rss = max(rss_mb(pid) for pid in worker_pids(server.pid))

        done = threading.Event()
        health: list[float] = []
        peak_rss = [0.0]
        statuses: dict[int, int] = {}
        upload_seconds: list[float] = []
        lock = threading.Lock()

        def poll_health() -> None:
            while not done.is_set():
                started = time.monotonic()
                status, _ = request(port, "GET", "/healthz")
                health.append(time.monotonic() - started)
                time.sleep(0.02)

        def sample_rss() -> None:
            while not done.is_set():
                for pid in worker_pids(server.pid):
                    peak_rss[0] = max(peak_rss[0], rss_mb(pid))
                time.sleep(0.05)

        def upload(token: str) -> None:
            for _ in range(args.rounds):
                started = time.monotonic()
                status, _ = request(
                    port,
                    "POST",
                    "/api/v1/uploads",
                    body,
                    {
                        "Content-Type": content_type,
                        "Authorization": f"Bearer {token}",
                    },
                )
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    upload_seconds.append(time.monotonic() - started)

        watchers = [
            threading.Thread(target=poll_health),
            threading.Thread(target=sample_rss),
        ]
        for t in watchers:
            t.start()
        time.sleep(0.3)
        started = time.monotonic()
        clients = [threading.Thread(target=upload, args=(t,)) for t in tokens]
        for t in clients:
            t.start()
        for t in clients:
            t.join()
        elapsed = time.monotonic() - started
        done.set()
        for t in watchers:
            t.join()

        report = {
            "side": side,
            "png_bytes": len(png),
            "clients": args.clients,
            "rounds": args.rounds,
            "workers": args.workers,
            "seconds": round(elapsed, 2),
            "upload_statuses": {str(k): v for k, v in sorted(statuses.items())},
            "upload_p50_s": round(percentile(upload_seconds, 50), 3),
            "upload_max_s": round(max(upload_seconds), 3),
            "healthz_samples": len(health),
            "healthz_p50_ms": round(percentile(health, 50) * 1000, 1),
            "healthz_p99_ms": round(percentile(health, 99) * 1000, 1),
            "healthz_max_ms": round(max(health) * 1000, 1),
            "worker_rss_idle_mb": round(idle_rss),
            "worker_rss_peak_mb": round(peak_rss[0]),
        }
        for key, value in report.items():
            print(f"  {key:<20} {value}")
        ok = report["healthz_p99_ms"] < 200 and report["worker_rss_peak_mb"] < 300
        print("  target (p99 < 200 ms, RSS < 300 MB):", "met" if ok else "MISSED")
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / f"uploads-{side}.json").write_text(json.dumps(report, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
