"""Reads of the operator's legal pages (terms, privacy notice, imprint)."""

from selfwork.core.models import LegalPage


def legal_page_get(*, kind: str) -> LegalPage | None:
    """Return the legal page ``kind`` if the operator has written it, else None."""
    if kind not in LegalPage.Kind.values:
        return None
    page = LegalPage.objects.filter(kind=kind).first()
    if page is None or not page.body.strip():
        return None
    return page
