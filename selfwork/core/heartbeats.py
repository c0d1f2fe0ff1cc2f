"""Worker heartbeats: each worker says it is alive once a round; readiness asks."""

import datetime as dt
import os
import socket

from django.db.models import QuerySet

from selfwork.core.models import WorkerHeartbeat

HEARTBEATS_KEPT = dt.timedelta(days=1)


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


def heartbeats_purge(*, now: dt.datetime) -> int:
    """Delete the rows of workers silent for a day (stopped or restarted ones)."""
    deleted, _ = WorkerHeartbeat.objects.filter(
        beat_at__lt=now - HEARTBEATS_KEPT
    ).delete()
    return deleted


def heartbeats_recent() -> QuerySet[WorkerHeartbeat]:
    """Every worker's last heartbeat, newest first."""
    return WorkerHeartbeat.objects.order_by("-beat_at", "pk")
