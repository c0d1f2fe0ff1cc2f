"""Take members' names and bank details out of the ledger: past memos, wallet names.

Memos are sealed into the ledger's checksums and kept for as long as the books
are, so they must not carry personal data: a member who closes their account
would otherwise stay named in them for good. New postings say "the customer",
"the provider" and a payout's id; this rewrites the memos posted before in the
same words and seals them again (``ledger.reseal``), so the audit stays clean.
A memo that does not read as expected is left alone. Running it again changes
nothing.
"""

import re

from django.db import migrations

PATTERNS = {
    "charge": re.compile(r"^Payment by .* into escrow$"),
    "deposit_hold": re.compile(r"^Deposit held on .*'s card$"),
    "release": re.compile(r"^Release to (?!the provider:)[^:]*: (.*)$"),
    "deposit_capture": re.compile(
        r"^Deposit claim: (.+?) to (?!the provider, ).+, (\S+ \S+) given back$"
    ),
    "payout": re.compile(r"^Payout to .*$"),
}


def rewrite(kind: str, memo: str, reference: str) -> str | None:
    """The memo of a past posting, naming no one, or None to leave it."""
    pattern = PATTERNS[kind]
    found = pattern.match(memo)
    if found is None:
        return None
    if kind == "charge":
        return f"Payment into escrow for {reference}"
    if kind == "deposit_hold":
        return f"Deposit held on the customer's card for {reference}"
    if kind == "release":
        return f"Release to the provider: {found.group(1)}"
    if kind == "deposit_capture":
        return (
            f"Deposit claim: {found.group(1)} to the provider, "
            f"{found.group(2)} given back"
        )
    return f"Payout {reference.removeprefix('payout:')}"


def forwards(apps, schema_editor):
    # The ledger's own module, as exchanges 0011 uses its writer: the ledger's
    # tables are unchanged since the migrations this one depends on.
    from selfwork.ledger.reseal import memos_rewrite

    memos_rewrite(rewriter=rewrite, kinds=list(PATTERNS))
    # Account names are not sealed; wallets were named after their member.
    Account = apps.get_model("ledger", "Account")
    for pk, owner_ref in Account.objects.filter(kind="member_wallet").values_list(
        "pk", "owner_ref"
    ):
        Account.objects.filter(pk=pk).update(
            name=f"Wallet of member {owner_ref.removeprefix('member:')}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_gateway_calls_after_commit"),
        ("ledger", "0003_sqlite_balance_by_posting"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
