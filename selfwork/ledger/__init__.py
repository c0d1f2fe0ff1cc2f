"""The ledger: double-entry, append-only, its invariants enforced by the database.

Accounts hold one unit each (an ISO 4217 currency in its real minor units, or
``HOUR`` in hundredths) for an opaque owner reference; the ledger never joins to
people, communities or exchanges, and imports nothing but ``selfwork.core``.

Decisions, in brief:

- ``services.transaction_post`` is the one writer. A transaction is inserted
  ``pending``, gets its legs, then one UPDATE marks it ``posted``. Triggers (on
  SQLite and PostgreSQL alike, migration 0002) check on that UPDATE that it has two
  legs or more summing to zero per unit, and move the account balances in the same
  statement; the CHECK ``balance_minor >= floor_minor`` then refuses any overdraft,
  whoever posts and however many post at once. The service locks the accounts in
  id order first (PostgreSQL; SQLite's IMMEDIATE transactions serialise writers)
  and only translates what the database decided into ``InsufficientFunds``.
- Posted legs and transactions are never updated or deleted (triggers); a
  correction is ``transaction_reverse``, at most once per transaction (UNIQUE).
- An idempotency key is UNIQUE: a retry with the same kind, reference and legs
  returns the first transaction; anything else under that key is refused
  (``idempotency_key_reused``). The memo is not compared.
- One leg per account per transaction; a leg's unit is its account's (trigger).
- Floors: zero by default, negative for time credits (the community's limit), and
  none only for gateway clearing, payout clearing and hours issuance (CHECK).
- Every posted transaction carries a sha256 of its content; every account the head
  of a hash chain over its transactions. ``audit.ledger_audit`` recomputes both,
  besides re-deriving balances, floors and conservation from the legs.
- Signs are the holder's: what an account holds is positive; value enters the
  ledger through the (negative) clearing and issuance accounts.
"""
