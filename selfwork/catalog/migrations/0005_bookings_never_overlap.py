"""No two held bookings of one listing overlap: the database's rule, on each engine.

A held booking occupies ``[start_at, held_end_at)`` (its end plus the listing's
buffer). Whoever writes — the booking service, the admin, a migration, ``psql`` —
the database refuses a second held booking that meets the first.

PostgreSQL: an exclusion constraint over ``tstzrange(start_at, held_end_at, '[)')``
per listing, through a GiST index (``btree_gist`` lets the index compare the
listing id with ``=``). Racing inserts wait for each other's commit and the loser
gets ``exclusion_violation`` (SQLSTATE 23P01, an IntegrityError).

SQLite has no exclusion constraints. Its writers are serialised (one write
transaction at a time; selfwork opens them ``IMMEDIATE``), so a BEFORE trigger that
looks for an overlapping held row sees every committed booking and refuses with
``RAISE(ABORT)`` (an IntegrityError). The trigger also guards an UPDATE that
makes a booking held again or moves it.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER catalog_booking_no_overlap_insert BEFORE INSERT ON catalog_booking
    WHEN NEW.status = 'held'
    BEGIN
      SELECT RAISE(ABORT, 'catalog: a held booking overlaps another of the listing')
      WHERE EXISTS (
        SELECT 1 FROM catalog_booking AS b
        WHERE b.listing_id = NEW.listing_id AND b.status = 'held'
          AND b.start_at < NEW.held_end_at AND NEW.start_at < b.held_end_at
      );
    END
    """,
    """
    CREATE TRIGGER catalog_booking_no_overlap_update BEFORE UPDATE ON catalog_booking
    WHEN NEW.status = 'held'
    BEGIN
      SELECT RAISE(ABORT, 'catalog: a held booking overlaps another of the listing')
      WHERE EXISTS (
        SELECT 1 FROM catalog_booking AS b
        WHERE b.listing_id = NEW.listing_id AND b.status = 'held' AND b.id <> OLD.id
          AND b.start_at < NEW.held_end_at AND NEW.start_at < b.held_end_at
      );
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS catalog_booking_no_overlap_update",
    "DROP TRIGGER IF EXISTS catalog_booking_no_overlap_insert",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE catalog_booking ADD CONSTRAINT catalog_booking_no_overlap
    EXCLUDE USING gist (
      listing_id WITH =,
      tstzrange(start_at, held_end_at, '[)') WITH &&
    ) WHERE (status = 'held')
    """,
]
# The extension stays: other tables may use it, and dropping it needs more rights.
POSTGRESQL_REVERSE = [
    "ALTER TABLE catalog_booking DROP CONSTRAINT catalog_booking_no_overlap",
]


def forwards(apps, schema_editor):
    sqlite = schema_editor.connection.vendor == "sqlite"
    for sql in SQLITE if sqlite else POSTGRESQL:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    sqlite = schema_editor.connection.vendor == "sqlite"
    for sql in SQLITE_REVERSE if sqlite else POSTGRESQL_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_calendars")]
    operations = [migrations.RunPython(forwards, backwards)]
