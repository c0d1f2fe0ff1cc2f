"""The scaled-out topology's tests: run by ``make test-scale`` only.

``scripts/with-scale-cluster.sh`` starts a primary, a streaming replica and
PgBouncer in transaction pooling mode, and these tests read and write through
them. The replica follows the primary's whole cluster, so they use the cluster's
own database (migrated here) rather than a test database made beside it; they
commit, as the replica and the worker processes see only what is committed.
"""

import os

import psycopg
import pytest

SCALE = "SELFWORK_SCALE_PRIMARY_URL" in os.environ
# Collected only inside the scale cluster (make test-scale), never by make test.
collect_ignore_glob = [] if SCALE else ["test_*.py"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Migrate the cluster's database through PgBouncer, as a deployment does."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0, interactive=False)


@pytest.fixture
def primary_direct():
    """A connection straight to the primary, beside PgBouncer."""
    with psycopg.connect(
        os.environ["SELFWORK_SCALE_PRIMARY_URL"], autocommit=True
    ) as c:
        yield c


@pytest.fixture
def replica_direct():
    """A connection straight to the replica, beside PgBouncer."""
    with psycopg.connect(
        os.environ["SELFWORK_SCALE_REPLICA_URL"], autocommit=True
    ) as c:
        yield c


@pytest.fixture
def replica_caught_up(primary_direct, replica_direct):
    """``replica_caught_up()``: wait until the replica has replayed all the primary wrote."""

    def wait() -> None:
        (target,) = primary_direct.execute("SELECT pg_current_wal_lsn()").fetchone()
        # Blocks on the replica itself (no sleeping here): replay is polled by
        # the server, at most 30 s.
        replica_direct.execute(
            """
            DO $$
            DECLARE deadline timestamptz := clock_timestamp() + interval '30 seconds';
            BEGIN
              WHILE pg_last_wal_replay_lsn() < %s::pg_lsn LOOP
                IF clock_timestamp() > deadline THEN
                  RAISE EXCEPTION 'the replica did not catch up';
                END IF;
                PERFORM pg_sleep(0.01);
              END LOOP;
            END $$
            """.replace("%s", f"'{target}'")
        )

    return wait


@pytest.fixture
def replica_paused(replica_direct, replica_caught_up):
    """The replica stops replaying the primary's writes until the test ends."""
    replica_caught_up()
    replica_direct.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        replica_direct.execute("SELECT pg_wal_replay_resume()")
