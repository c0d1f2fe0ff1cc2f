"""/healthz for load balancers (is the process up and the database there?) and
/readyz for deployments (should this server take traffic now?)."""

import datetime as dt

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from selfwork.core.heartbeats import heartbeats_recent

# Once every migration is applied it stays so for this process's life (code and
# schema change together, at a deploy that restarts it), so the check that
# loads every migration file runs until it first passes, then never again.
_migrated = False


def healthz(request: HttpRequest) -> JsonResponse:
    """Answer ok when the database answers; load balancers poll this."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503
        )
    return JsonResponse({"status": "ok"})


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return "ok"


def _migrations() -> str:
    global _migrated
    if _migrated:
        return "ok"
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if unapplied:
        return f"{len(unapplied)} unapplied"
    _migrated = True
    return "ok"


def _worker(now: dt.datetime) -> str:
    limit = settings.SELFWORK_READY_HEARTBEAT_SECONDS
    if limit <= 0:
        return "not checked"
    newest = heartbeats_recent().values_list("beat_at", flat=True).first()
    if newest is None:
        return "no heartbeat"
    age = (now - newest).total_seconds()
    if age > limit:
        return f"last heartbeat {int(age)} s ago"
    return "ok"


def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, every migration is applied and a worker
    went round its loop lately; else 503, saying which check failed."""
    checks = {"database": _database()}
    if checks["database"] == "ok":
        try:
            checks["migrations"] = _migrations()
            checks["worker"] = _worker(timezone.now())
        except DatabaseError:
            checks["database"] = "unreachable"
    ready = all(value in ("ok", "not checked") for value in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
