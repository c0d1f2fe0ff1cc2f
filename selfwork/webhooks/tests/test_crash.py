"""A worker killed mid-delivery loses no event and repeats none a receiver cannot drop.

Real workers (``selfwork worker --once``, subprocesses on the test database) are
killed with SIGKILL ten times while they send; then one runs to the end.
Every delivery must have reached the receiver, each ``webhook-id`` always with
the same signed body, and no two deliveries with the same id.
"""

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from selfwork.catalog.services import listing_update
from selfwork.core.models import Event
from selfwork.webhooks import services
from selfwork.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.slow

SELFWORK = str(Path(sys.executable).with_name("selfwork"))
# Each kill costs a worker's start (about 4 s here); ten already leave ten
# messages to repeat (measured on SQLite and PostgreSQL), twenty proved no more.
KILLS = 10


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _worker(at: dt.datetime) -> subprocess.Popen:
    env = {
        **os.environ,
        "SELFWORK_DATABASE_URL": _database_url(),
        "SELFWORK_WEBHOOK_ALLOW_PRIVATE": "true",
        "SELFWORK_CONN_MAX_AGE": "0",
    }
    return subprocess.Popen(
        [SELFWORK, "worker", "--once", "--now", at.isoformat()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_delivery_loses_and_doubles_nothing(
    receiver, bag, provider, host, guild, now
):
    endpoint = services.endpoint_create(
        owner=host,
        url=receiver.url,
        events=["listing.updated"],
        community=guild,
        now=now,
    )
    receiver.secret = endpoint.secret
    for n in range(40):
        listing_update(
            listing=bag, actor=provider, changes={"title": f"Bag {n}"}, now=now
        )
    # Each answer takes a while, so most kills land while a request is open.
    receiver.delay = 0.3
    chance = random.Random(12)
    at = now
    for _ in range(KILLS):
        # Past the lease of the worker killed before: what it held is due again.
        at += dt.timedelta(minutes=3)
        seen = len(receiver.requests)
        worker = _worker(at)
        wanted = seen + chance.randint(1, 3)
        arrived = _wait_for(lambda: len(receiver.requests) >= wanted)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert arrived, "the worker sent nothing"
    receiver.delay = 0
    worker = _worker(at + dt.timedelta(hours=1))
    assert worker.wait(timeout=300) == 0

    deliveries = list(WebhookDelivery.objects.all())
    assert len(deliveries) == 40
    assert {d.status for d in deliveries} == {"succeeded"}
    bodies: dict[str, set[str]] = {}
    for message in receiver.requests:
        message.verified_by(endpoint.secret)
        bodies.setdefault(message.id, set()).add(message.body)
    # None lost; none doubled beyond a repeat of the same message, same id.
    assert set(bodies) == {d.message_id for d in deliveries}
    assert all(len(b) == 1 for b in bodies.values())
    events = {json.loads(next(iter(b)))["id"] for b in bodies.values()}
    recorded = Event.objects.filter(kind="listing.updated").values_list(
        "public_id", flat=True
    )
    assert events == {str(e) for e in recorded}
    repeats = len(receiver.requests) - len(bodies)
    # A kill while the receiver was answering leaves that message to go again.
    assert 0 < repeats <= KILLS
