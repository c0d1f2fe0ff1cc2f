"""Worker heartbeats: each worker says it is alive once a round; readiness asks."""

import datetime as dt
import os
import socket

from django.db.models import QuerySet
from django.utils import timezone

from selfwork.core.models import WorkerHeartbeat

HEARTBEATS_KEPT = dt.timedelta(days=1)
# A busy worker runs round after round without pausing: one write in this
# long is enough to say it is alive.
HEARTBEAT_EVERY = dt.timedelta(seconds=5)


def worker_name() -> str:
    """This process's name among workers: its host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def heartbeat_record(*, name: str, started_at: dt.datetime, now: dt.datetime) -> None:
    """Record that the worker ``name`` went round its loop at ``now``."""
    WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={"beat_at": now},
        create_defaults={"started_at": started_at, "beat_at": now},
    )


class Heartbeat:
    """This worker's heartbeat: call it often, it writes at most every 5 seconds."""

    def __init__(self) -> None:
        self.name = worker_name()
        self.started_at = timezone.now()
        self.last: dt.datetime | None = None

    def __call__(self) -> None:
        now = timezone.now()
        if self.last is None or now - self.last >= HEARTBEAT_EVERY:
            heartbeat_record(name=self.name, started_at=self.started_at, now=now)
            self.last = now


def heartbeats_purge(*, now: dt.datetime) -> int:
    """Delete the rows of workers silent for a day (stopped or restarted ones)."""
    deleted, _ = WorkerHeartbeat.objects.filter(
        beat_at__lt=now - HEARTBEATS_KEPT
    ).delete()
    return deleted


def heartbeats_recent() -> QuerySet[WorkerHeartbeat]:
    """Every worker's last heartbeat, newest first."""
    return WorkerHeartbeat.objects.order_by("-beat_at", "pk")
