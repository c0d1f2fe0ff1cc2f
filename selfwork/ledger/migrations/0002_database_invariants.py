"""The ledger's invariants as triggers, in each engine's own SQL.

Both engines refuse, whoever writes:
- a transaction inserted other than ``pending``;
- a leg added to a transaction that is not pending, or in another unit than its
  account's;
- marking a transaction ``posted`` unless it has at least two legs summing to zero
  in every unit (checked by the trigger on that very UPDATE);
- any UPDATE of a leg, any DELETE of a posted leg or transaction, any UPDATE of a
  posted transaction;
- an account opened with a non-zero balance, or changing its kind, owner or unit.

Posting (pending -> posted) adds each account's legs to its balance in the same
statement, so the CHECK ``balance_minor >= floor_minor`` refuses an overdraft
whoever posts and however many post at once. PostgreSQL also refuses, at commit,
a transaction left unposted (a deferred constraint trigger) and any change of a
balance other than by posting (``pg_trigger_depth()``); SQLite cannot tell a
trigger's UPDATE from a client's, so there the audit catches a hand-edited balance.

TRUNCATE is not guarded: it needs table-owner rights, and the test runner's flush
on PostgreSQL uses it.
"""

from django.db import migrations

SQLITE_INSTALL = [
    """
    CREATE TRIGGER ledger_account_starts_at_zero BEFORE INSERT ON ledger_account
    WHEN NEW.balance_minor <> 0 OR NEW.checksum <> ''
    BEGIN SELECT RAISE(ABORT, 'ledger: an account opens with a zero balance'); END
    """,
    """
    CREATE TRIGGER ledger_account_identity_fixed BEFORE UPDATE ON ledger_account
    WHEN NEW.id IS NOT OLD.id OR NEW.public_id IS NOT OLD.public_id
      OR NEW.kind IS NOT OLD.kind OR NEW.owner_ref IS NOT OLD.owner_ref
      OR NEW.unit IS NOT OLD.unit
    BEGIN
      SELECT RAISE(ABORT, 'ledger: an account keeps its kind, owner and unit');
    END
    """,
    """
    CREATE TRIGGER ledger_transaction_starts_pending BEFORE INSERT ON ledger_transaction
    WHEN NEW.state IS NOT 'pending'
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a transaction is inserted pending and posted once its legs are in');
    END
    """,
    """
    CREATE TRIGGER ledger_transaction_posted_is_final BEFORE UPDATE ON ledger_transaction
    WHEN OLD.state = 'posted'
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a posted transaction never changes; post a reversal');
    END
    """,
    """
    CREATE TRIGGER ledger_transaction_post_checks BEFORE UPDATE ON ledger_transaction
    WHEN OLD.state = 'pending'
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a transaction keeps its id')
      WHERE NEW.id IS NOT OLD.id;
      SELECT RAISE(ABORT, 'ledger: a posted transaction needs at least two legs')
      WHERE NEW.state = 'posted'
        AND (SELECT COUNT(*) FROM ledger_leg WHERE transaction_id = OLD.id) < 2;
      SELECT RAISE(ABORT, 'ledger: a posted transaction sums to zero in every unit')
      WHERE NEW.state = 'posted' AND EXISTS (
        SELECT 1 FROM ledger_leg WHERE transaction_id = OLD.id
        GROUP BY unit HAVING SUM(amount_minor) <> 0
      );
    END
    """,
    """
    CREATE TRIGGER ledger_transaction_post_balances AFTER UPDATE ON ledger_transaction
    WHEN OLD.state = 'pending' AND NEW.state = 'posted'
    BEGIN
      UPDATE ledger_account
      SET balance_minor = balance_minor + (
        SELECT SUM(amount_minor) FROM ledger_leg
        WHERE transaction_id = NEW.id AND account_id = ledger_account.id
      )
      WHERE id IN (SELECT account_id FROM ledger_leg WHERE transaction_id = NEW.id);
    END
    """,
    """
    CREATE TRIGGER ledger_transaction_posted_kept BEFORE DELETE ON ledger_transaction
    WHEN OLD.state IS NOT 'pending'
    BEGIN SELECT RAISE(ABORT, 'ledger: a posted transaction is never deleted'); END
    """,
    """
    CREATE TRIGGER ledger_leg_insert_checks BEFORE INSERT ON ledger_leg
    BEGIN
      SELECT RAISE(ABORT, 'ledger: legs are added only to a pending transaction')
      WHERE (SELECT state FROM ledger_transaction WHERE id = NEW.transaction_id)
        IS NOT 'pending';
      SELECT RAISE(ABORT, 'ledger: a leg''s unit must equal its account''s unit')
      WHERE (SELECT unit FROM ledger_account WHERE id = NEW.account_id) IS NOT NEW.unit;
    END
    """,
    """
    CREATE TRIGGER ledger_leg_never_updated BEFORE UPDATE ON ledger_leg
    BEGIN SELECT RAISE(ABORT, 'ledger: a leg never changes; post a reversal'); END
    """,
    """
    CREATE TRIGGER ledger_leg_posted_kept BEFORE DELETE ON ledger_leg
    WHEN (SELECT state FROM ledger_transaction WHERE id = OLD.transaction_id)
      IS NOT 'pending'
    BEGIN SELECT RAISE(ABORT, 'ledger: a posted leg is never deleted'); END
    """,
]

SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_account_starts_at_zero",
        "ledger_account_identity_fixed",
        "ledger_transaction_starts_pending",
        "ledger_transaction_posted_is_final",
        "ledger_transaction_post_checks",
        "ledger_transaction_post_balances",
        "ledger_transaction_posted_kept",
        "ledger_leg_insert_checks",
        "ledger_leg_never_updated",
        "ledger_leg_posted_kept",
    )
]

POSTGRESQL_INSTALL = [
    """
    CREATE FUNCTION ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ledger: %', TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
    END $$
    """,
    """
    CREATE FUNCTION ledger_transaction_check_legs(txn bigint) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT COUNT(*) FROM ledger_leg WHERE transaction_id = txn) < 2 THEN
        RAISE EXCEPTION 'ledger: a posted transaction needs at least two legs (transaction %)', txn
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF EXISTS (
        SELECT 1 FROM ledger_leg WHERE transaction_id = txn
        GROUP BY unit HAVING SUM(amount_minor) <> 0
      ) THEN
        RAISE EXCEPTION 'ledger: a posted transaction sums to zero in every unit (transaction %)', txn
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
    END $$
    """,
    """
    CREATE TRIGGER ledger_account_starts_at_zero BEFORE INSERT ON ledger_account
    FOR EACH ROW WHEN (NEW.balance_minor <> 0 OR NEW.checksum <> '')
    EXECUTE FUNCTION ledger_refuse('an account opens with a zero balance')
    """,
    """
    CREATE TRIGGER ledger_account_identity_fixed BEFORE UPDATE ON ledger_account
    FOR EACH ROW WHEN (
      NEW.id IS DISTINCT FROM OLD.id OR NEW.public_id IS DISTINCT FROM OLD.public_id
      OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.owner_ref IS DISTINCT FROM OLD.owner_ref
      OR NEW.unit IS DISTINCT FROM OLD.unit
    )
    EXECUTE FUNCTION ledger_refuse('an account keeps its kind, owner and unit')
    """,
    """
    CREATE TRIGGER ledger_account_balance_by_posting BEFORE UPDATE ON ledger_account
    FOR EACH ROW WHEN (
      pg_trigger_depth() = 0 AND NEW.balance_minor IS DISTINCT FROM OLD.balance_minor
    )
    EXECUTE FUNCTION ledger_refuse('a balance changes only by posting a transaction')
    """,
    """
    CREATE TRIGGER ledger_transaction_starts_pending BEFORE INSERT ON ledger_transaction
    FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM 'pending')
    EXECUTE FUNCTION ledger_refuse(
      'a transaction is inserted pending and posted once its legs are in'
    )
    """,
    """
    CREATE TRIGGER ledger_transaction_posted_is_final BEFORE UPDATE ON ledger_transaction
    FOR EACH ROW WHEN (OLD.state = 'posted')
    EXECUTE FUNCTION ledger_refuse('a posted transaction never changes; post a reversal')
    """,
    """
    CREATE FUNCTION ledger_transaction_before_post() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'ledger: a transaction keeps its id'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF NEW.state = 'posted' THEN
        PERFORM ledger_transaction_check_legs(OLD.id);
      END IF;
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER ledger_transaction_post_checks BEFORE UPDATE ON ledger_transaction
    FOR EACH ROW WHEN (OLD.state = 'pending')
    EXECUTE FUNCTION ledger_transaction_before_post()
    """,
    # Accounts are updated in id order, the order transaction_post locks them in,
    # so two posts never wait on each other's rows crosswise.
    """
    CREATE FUNCTION ledger_transaction_after_post() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      r record;
    BEGIN
      FOR r IN
        SELECT account_id, SUM(amount_minor) AS delta FROM ledger_leg
        WHERE transaction_id = NEW.id GROUP BY account_id ORDER BY account_id
      LOOP
        UPDATE ledger_account SET balance_minor = balance_minor + r.delta
        WHERE id = r.account_id;
      END LOOP;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER ledger_transaction_post_balances AFTER UPDATE ON ledger_transaction
    FOR EACH ROW WHEN (OLD.state = 'pending' AND NEW.state = 'posted')
    EXECUTE FUNCTION ledger_transaction_after_post()
    """,
    """
    CREATE FUNCTION ledger_transaction_at_commit() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      current_state text;
    BEGIN
      SELECT state INTO current_state FROM ledger_transaction WHERE id = NEW.id;
      IF NOT FOUND THEN
        RETURN NULL;
      END IF;
      IF current_state IS DISTINCT FROM 'posted' THEN
        RAISE EXCEPTION 'ledger: transaction % was left unposted at commit', NEW.id
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      PERFORM ledger_transaction_check_legs(NEW.id);
      RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_transaction_posted_at_commit
    AFTER INSERT ON ledger_transaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_at_commit()
    """,
    """
    CREATE TRIGGER ledger_transaction_posted_kept BEFORE DELETE ON ledger_transaction
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM 'pending')
    EXECUTE FUNCTION ledger_refuse('a posted transaction is never deleted')
    """,
    """
    CREATE FUNCTION ledger_leg_before_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT state FROM ledger_transaction WHERE id = NEW.transaction_id)
         IS DISTINCT FROM 'pending' THEN
        RAISE EXCEPTION 'ledger: legs are added only to a pending transaction'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF (SELECT unit FROM ledger_account WHERE id = NEW.account_id)
         IS DISTINCT FROM NEW.unit THEN
        RAISE EXCEPTION 'ledger: a leg''s unit must equal its account''s unit'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER ledger_leg_insert_checks BEFORE INSERT ON ledger_leg
    FOR EACH ROW EXECUTE FUNCTION ledger_leg_before_insert()
    """,
    """
    CREATE TRIGGER ledger_leg_never_updated BEFORE UPDATE ON ledger_leg
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse('a leg never changes; post a reversal')
    """,
    """
    CREATE FUNCTION ledger_leg_before_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT state FROM ledger_transaction WHERE id = OLD.transaction_id)
         IS DISTINCT FROM 'pending' THEN
        RAISE EXCEPTION 'ledger: a posted leg is never deleted'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN OLD;
    END $$
    """,
    """
    CREATE TRIGGER ledger_leg_posted_kept BEFORE DELETE ON ledger_leg
    FOR EACH ROW EXECUTE FUNCTION ledger_leg_before_delete()
    """,
]

POSTGRESQL_UNINSTALL = [
    *(
        f"DROP TRIGGER IF EXISTS {name} ON {table}"
        for name, table in (
            ("ledger_account_starts_at_zero", "ledger_account"),
            ("ledger_account_identity_fixed", "ledger_account"),
            ("ledger_account_balance_by_posting", "ledger_account"),
            ("ledger_transaction_starts_pending", "ledger_transaction"),
            ("ledger_transaction_posted_is_final", "ledger_transaction"),
            ("ledger_transaction_post_checks", "ledger_transaction"),
            ("ledger_transaction_post_balances", "ledger_transaction"),
            ("ledger_transaction_posted_at_commit", "ledger_transaction"),
            ("ledger_transaction_posted_kept", "ledger_transaction"),
            ("ledger_leg_insert_checks", "ledger_leg"),
            ("ledger_leg_never_updated", "ledger_leg"),
            ("ledger_leg_posted_kept", "ledger_leg"),
        )
    ),
    *(
        f"DROP FUNCTION IF EXISTS {signature}"
        for signature in (
            "ledger_refuse()",
            "ledger_transaction_check_legs(bigint)",
            "ledger_transaction_before_post()",
            "ledger_transaction_after_post()",
            "ledger_transaction_at_commit()",
            "ledger_leg_before_insert()",
            "ledger_leg_before_delete()",
        )
    ),
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_UNINSTALL),
}


def _run(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            # No parameters: the SQL holds '%' placeholders of its own (RAISE).
            cursor.execute(statement)


def install(connection) -> None:
    """Create the triggers on ``connection``'s engine."""
    try:
        statements = STATEMENTS[connection.vendor][0]
    except KeyError:
        raise NotImplementedError(
            f"The ledger's invariants have no SQL for {connection.vendor}."
        ) from None
    _run(connection, statements)


def uninstall(connection) -> None:
    """Drop the triggers on ``connection``'s engine."""
    _run(connection, STATEMENTS[connection.vendor][1])


def forwards(apps, schema_editor):
    install(schema_editor.connection)


def backwards(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
