"""Take members' names out of the ledger: past time-credit memos, account names.

Transfers used to say "2 h from alice to bruno"; the memo is sealed into the
ledger's checksums and kept for as long as the books are, so it now says
"Transfer of 2 h between members" (the reference names the exchange). This
rewrites the memos posted before and seals them again (``ledger.reseal``), so the
audit stays clean. Running it again changes nothing.
"""

import re

from django.db import migrations

OLD = re.compile(r"^(.+?) from .+ to .+$")


def rewrite(kind: str, memo: str, reference: str) -> str | None:
    """The memo of a past transfer, naming no one, or None to leave it."""
    found = OLD.match(memo)
    return None if found is None else f"Transfer of {found.group(1)} between members"


def forwards(apps, schema_editor):
    from selfwork.ledger.reseal import memos_rewrite

    memos_rewrite(rewriter=rewrite, kinds=["hours"])
    # Account names are not sealed; hours accounts were named after their member.
    Account = apps.get_model("ledger", "Account")
    for pk, owner_ref in Account.objects.filter(
        kind="member_hours", owner_ref__startswith="hours:"
    ).values_list("pk", "owner_ref"):
        _, slug, member = owner_ref.split(":", 2)
        Account.objects.filter(pk=pk).update(
            name=f"Hours of member {member} in {slug}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_timebank"),
        ("ledger", "0003_sqlite_balance_by_posting"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
