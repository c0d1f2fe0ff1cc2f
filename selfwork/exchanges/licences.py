"""Licences: the usage rights of a completed commission, as a document to download."""

from selfwork.exchanges.models import Exchange, Licence

USE_TEXT = {
    "personal": (
        "personal, non-commercial use: display, print and share the work for "
        "yourself, not for sale or to promote a business"
    ),
    "commercial": (
        "commercial use: use the work in products, marketing and publications, "
        "including for sale, without further fees"
    ),
}


def licence_text(*, exchange: Exchange) -> str:
    """Return the licence ``exchange`` granted as plain text (empty if none)."""
    licence = Licence.objects.filter(exchange=exchange).first()
    if licence is None:
        return ""
    terms = licence.terms
    credit = (
        f"Credit is required: name {terms['licensor']} as the author wherever the "
        "work is shown."
        if terms.get("credit_required")
        else "Credit is welcome but not required."
    )
    return "\n".join(
        [
            "USAGE LICENCE",
            "",
            f"Work:       {terms['work']}",
            f"Licensor:   {terms['licensor']} (@{terms['licensor_username']})",
            f"Licensee:   {terms['licensee']} (@{terms['licensee_username']})",
            f"Community:  {terms['community']}",
            f"Exchange:   {terms['exchange']}",
            f"Granted on: {terms['granted_on']}",
            f"Licence id: {licence.public_id}",
            "",
            f"The licensor grants the licensee a perpetual, worldwide, non-exclusive "
            f"licence for {USE_TEXT.get(terms['use'], terms['use'])}.",
            credit,
            "The licensor keeps the copyright and may show the work in a portfolio.",
            "",
        ]
    )
