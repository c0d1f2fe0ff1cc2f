"""The terms of SQLite's full-text index of listings, kept where a prefix finds them.

A search's last word is a prefix (search as you type). FTS5 answers a prefix
longer than its prefix index (two and three letters, migration 0012) by merging
the lists of every term it starts, all their matches, before it hands over one,
and ``bm25`` merges them again to weigh the phrase. At a million listings
"portrait"* took 3.4 ms to find its newest 500 matches where the word took
0.07, and 11 ms to rank them where the word took 3. So the index's terms are
kept in a table too (``SearchTerm``), written with each listing's card, and a
prefix that starts at most ``MAX_TERMS`` of them is searched as those terms:
the same matches, read newest first like any word (decision 0037).

PostgreSQL's search does not use any of this.
"""

import sqlite3
import threading
from collections.abc import Iterable

from django.db import connections, router

from selfwork.catalog.models import Listing, SearchTerm

# The tokenizer of ``catalog_listing_fts`` (migrations 0002 and 0012).
TOKENIZE = "porter unicode61 remove_diacritics 2"
# A prefix that starts more terms than this is left to FTS5.
MAX_TERMS = 8
# Above any character a term can hold: unicode61 splits text at U+10FFFF, a
# noncharacter, so every term starting with a prefix sorts below prefix + it.
_ABOVE = "\U0010ffff"

_local = threading.local()


def _tokenizer() -> sqlite3.Connection:
    """This thread's in-memory FTS5 table with the index's tokenizer."""
    db = getattr(_local, "db", None)
    if db is None:
        db = sqlite3.connect(":memory:")
        db.execute(f"CREATE VIRTUAL TABLE doc USING fts5(body, tokenize='{TOKENIZE}')")
        db.execute("CREATE VIRTUAL TABLE token USING fts5vocab(doc, instance)")
        _local.db = db
    return db


def tokens_of(texts: Iterable[str]) -> list[str]:
    """The terms FTS5 makes of ``texts`` with the index's tokenizer, each time one
    occurs, in order."""
    db = _tokenizer()
    try:
        db.executemany("INSERT INTO doc(body) VALUES (?)", ((t,) for t in texts))
        rows = db.execute("SELECT term FROM token ORDER BY doc, col, offset")
        return [term for (term,) in rows]
    finally:
        db.rollback()


def terms_record(texts: Iterable[str]) -> None:
    """Keep the terms of ``texts`` (a listing's title, tags and description), in
    the transaction that writes them to the index (SQLite only)."""
    if connections[router.db_for_write(SearchTerm)].vendor != "sqlite":
        return
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term) for term in set(tokens_of(texts))],
        ignore_conflicts=True,
    )


def prefix_terms(word: str) -> list[str] | None:
    """The terms of the index that ``word`` starts, as FTS5 would match the
    prefix ``"word"*``; None when FTS5 should match the prefix itself: more
    than ``MAX_TERMS`` terms, none, a word the tokenizer does not make one term
    of, or a term that would not come back as itself from the query's tokenizer
    (the stemmer stems a stem again now and then)."""
    tokens = tokens_of([word])
    if len(tokens) != 1:
        return None
    (prefix,) = tokens
    with connections[router.db_for_read(Listing)].cursor() as cursor:
        cursor.execute(
            "SELECT term FROM catalog_searchterm WHERE term >= %s AND term < %s "
            "ORDER BY term LIMIT %s",
            (prefix, prefix + _ABOVE, MAX_TERMS + 1),
        )
        terms = [term for (term,) in cursor.fetchall()]
    if not terms or len(terms) > MAX_TERMS:
        return None
    if tokens_of(terms) != terms:
        return None
    return terms
