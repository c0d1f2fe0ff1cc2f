"""What a payment reference is about, in words, for the pages that list money.

Payments know references (an exchange's id, a milestone's ``id:m2``) but not what
they stand for: the apps above say, by registering a describer. The wallet asks
once per page for every reference it shows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReferenceLabel:
    """What a reference stands for: a title, its page, and who the parties are."""

    title: str
    link: str
    customer: str
    provider: str

    def counterpart(self, *, me: str) -> str:
        """The other party's name, as seen by the member named ``me``."""
        return self.customer if me == self.provider else self.provider


Describer = Callable[[list[str]], dict[str, ReferenceLabel]]
_describers: list[Describer] = []


def reference_describer(describer: Describer) -> Describer:
    """Register ``describer``: given references, it returns labels for those it knows."""
    if describer not in _describers:
        _describers.append(describer)
    return describer


def references_describe(references: Iterable[str]) -> dict[str, ReferenceLabel]:
    """Labels for the ``references`` some describer knows (one query per describer)."""
    wanted = sorted({r for r in references if r})
    labels: dict[str, ReferenceLabel] = {}
    if not wanted:
        return labels
    for describer in _describers:
        labels.update(describer([r for r in wanted if r not in labels]))
    return labels
