"""Writes on briefs, offers and counter-proposals.

Money arrives in the API's shape (``{"amount": "12.50", "currency": "EUR"}``); the
web forms build the same dictionaries, so both interfaces meet one set of rules
here. Every state change is a compare-and-set UPDATE: of two racing requests
(two accepts, an accept and a withdraw) exactly one wins.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from selfwork.briefs.errors import (
    BriefClosed,
    CounterNotOpen,
    OfferExists,
    OfferExpired,
    OfferNotOpen,
)
from selfwork.briefs.models import Brief, BriefAttachment, Counter, Offer
from selfwork.communities.models import Community
from selfwork.communities.selectors import member_required
from selfwork.core.errors import InvalidInput, NotPermitted
from selfwork.core.models import Upload
from selfwork.core.money import Money
from selfwork.core.parse import int_parse, money_parse, upload_ids_parse
from selfwork.core.text import markdown_check, plain_check
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.services import exchange_start
from selfwork.exchanges.terms import LineItem, Milestone, Terms

MAX_ATTACHMENTS = 8
MAX_MILESTONES = 10
DEFAULT_REVISIONS = 2
DEFAULT_EXPIRY_DAYS = 14
MAX_EXPIRY_DAYS = 90
# A deadline years away is a typo, not a plan.
MAX_DEADLINE_DAYS = 5 * 365
USES = ("personal", "commercial")

MoneyInput = Money | dict[str, Any]


# --- Parsing -----------------------------------------------------------------------


def _money(value: Any, *, field: str) -> Money:
    """Parse a MONEY object (or pass a Money through); a currency, never HOUR."""
    return money_parse(value, field=field, positive=True)


def _in_currency(money: Money, currency: str, *, field: str) -> Money:
    if money.unit != currency:
        raise InvalidInput(
            gettext("%(field)s is in %(unit)s; this brief is in %(currency)s.")
            % {"field": field, "unit": money.unit, "currency": currency},
            field=field,
            code="currency_mismatch",
        )
    return money


def _whole(value: Any, *, field: str, low: int, high: int) -> int:
    # Briefs name the two ways a number is wrong; other apps say invalid_input.
    return int_parse(
        value,
        field=field,
        low=low,
        high=high,
        code="invalid_number",
        range_code="out_of_range",
    )


def _deadline_parse(raw: Any, *, now: dt.datetime) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        day = raw
    else:
        text = str(raw)
        try:
            if len(text) != 10:
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise InvalidInput(
                gettext("deadline is a date like 2026-12-24."),
                field="deadline",
                code="invalid_date",
            ) from exc
    if day < now.date():
        raise InvalidInput(
            gettext("deadline %(day)s has passed already.") % {"day": day.isoformat()},
            field="deadline",
            code="deadline_past",
        )
    if (day - now.date()).days > MAX_DEADLINE_DAYS:
        raise InvalidInput(
            gettext("deadline is more than five years away."),
            field="deadline",
            code="deadline_too_far",
        )
    return day


def _attachments_parse(raw: Any, *, author) -> list[Upload]:
    if raw is None:
        return []
    return upload_ids_parse(
        raw,
        owner=author,
        field="attachments",
        limit=MAX_ATTACHMENTS,
        duplicates="merge",
    )


def _milestones_parse(raw: Any, *, price: Money) -> list[dict[str, Any]]:
    """``[{"title", "amount": MONEY}]`` → ``[{"title", "amount_minor"}]`` summing to price."""
    if raw is None or raw == []:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_MILESTONES:
        raise InvalidInput(
            gettext(
                "milestones is a list of at most %(MAX_MILESTONES)s "
                '{"title", "amount": MONEY} objects.'
            )
            % {"MAX_MILESTONES": MAX_MILESTONES},
            field="milestones",
            code="invalid_milestones",
        )
    parsed: list[dict[str, Any]] = []
    total_minor = 0
    for i, item in enumerate(raw):
        where = f"milestones[{i}]"
        if not isinstance(item, dict) or set(item) - {"title", "amount"}:
            raise InvalidInput(
                gettext('%(where)s is an object {"title", "amount": MONEY}.')
                % {"where": where},
                field=where,
                code="invalid_milestones",
            )
        title = plain_check(
            item.get("title", ""), field=f"{where}.title", max_length=120
        )
        amount = _in_currency(
            _money(item.get("amount"), field=f"{where}.amount"),
            price.unit,
            field=f"{where}.amount",
        )
        parsed.append({"title": title, "amount_minor": amount.minor})
        total_minor += amount.minor
    total = Money(total_minor, price.unit)
    if total != price:
        raise InvalidInput(
            gettext("milestones add up to %(total)s; the price is %(price)s.")
            % {"total": total.format(), "price": price.format()},
            field="milestones",
            code="milestones_total",
        )
    return parsed


def _usage_rights_parse(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {"use": "personal", "credit_required": False}
    if not isinstance(raw, dict) or set(raw) - {"use", "credit_required"}:
        raise InvalidInput(
            gettext(
                'usage_rights is {"use": "personal" | "commercial", '
                '"credit_required": true | false}.'
            ),
            field="usage_rights",
            code="invalid_usage_rights",
        )
    use = raw.get("use", "personal")
    if use not in USES:
        raise InvalidInput(
            gettext("usage_rights.use is personal or commercial."),
            field="usage_rights.use",
            code="invalid_usage_rights",
        )
    credit = raw.get("credit_required", False)
    if not isinstance(credit, bool):
        raise InvalidInput(
            gettext("usage_rights.credit_required is true or false."),
            field="usage_rights.credit_required",
            code="invalid_usage_rights",
        )
    return {"use": use, "credit_required": credit}


def _require_open(brief: Brief) -> None:
    if brief.status != Brief.Status.OPEN:
        raise BriefClosed(gettext("This brief takes no more offers."))


def _require_live(offer: Offer, *, now: dt.datetime) -> None:
    if not offer.is_live:
        raise OfferNotOpen(
            gettext("This offer is %(offer)s.")
            % {"offer": offer.get_status_display().lower()}
        )
    if offer.expires_at <= now:
        raise OfferExpired(
            gettext("This offer has expired; ask the provider for a new one.")
        )


def _offer_move(
    *,
    offer: Offer,
    source: tuple[str, ...],
    now: dt.datetime,
    **changes: Any,
) -> None:
    """Compare-and-set one offer from any of ``source``, or raise OfferNotOpen."""
    moved = Offer.objects.filter(pk=offer.pk, status__in=source).update(
        updated_at=now, **changes
    )
    if moved != 1:
        raise OfferNotOpen(gettext("This offer changed meanwhile; reload it."))
    for name, value in changes.items():
        setattr(offer, name, value)
    offer.updated_at = now


# --- Briefs ------------------------------------------------------------------------


@transaction.atomic
def brief_create(
    *,
    author,
    community: Community,
    title: str,
    description: str,
    budget_min: MoneyInput,
    budget_max: MoneyInput,
    now: dt.datetime,
    deadline: dt.date | str | None = None,
    attachments: list[str] | None = None,
) -> Brief:
    """Post a brief in ``community``, open to offers from its members.

    :raises NotPermitted: if ``author`` is not an active member of ``community``.
    :raises InvalidInput: naming the first bad field (``budget.min`` above
        ``budget.max``, two currencies, a past deadline, …); nothing is stored.
    """
    member_required(community=community, member=author, doing="post briefs there")
    low = _money(budget_min, field="budget.min")
    high = _money(budget_max, field="budget.max")
    if low.unit != high.unit:
        raise InvalidInput(
            gettext(
                "budget.min is in %(unit)s and budget.max in %(unit2)s; use "
                "one currency."
            )
            % {"unit": low.unit, "unit2": high.unit},
            field="budget.max",
            code="currency_mismatch",
        )
    if low > high:
        raise InvalidInput(
            gettext("budget.min (%(low)s) is more than budget.max (%(high)s).")
            % {"low": low.format(), "high": high.format()},
            field="budget.min",
            code="budget_range",
        )
    brief = Brief(
        community=community,
        author=author,
        title=plain_check(title, field="title", max_length=120),
        description=markdown_check(
            description, field="description", max_length=10000, required=True
        ),
        currency=low.unit,
        budget_min_minor=low.minor,
        budget_max_minor=high.minor,
        deadline_on=_deadline_parse(deadline, now=now),
        created_at=now,
    )
    uploads = _attachments_parse(attachments, author=author)
    brief.save()
    BriefAttachment.objects.bulk_create(
        BriefAttachment(brief=brief, upload=u, position=i)
        for i, u in enumerate(uploads)
    )
    return brief


def _brief_end(brief: Brief, *, author, now: dt.datetime, status: str) -> Brief:
    if author is None or brief.author_id != author.pk:
        raise NotPermitted(
            gettext("Only the person who posted the brief can close it."),
            code="not_author",
        )
    if (
        Brief.objects.filter(pk=brief.pk, status=Brief.Status.OPEN).update(
            status=status, closed_at=now
        )
        != 1
    ):
        raise BriefClosed(gettext("This brief is closed already."))
    Counter.objects.filter(offer__brief=brief, status=Counter.Status.OPEN).update(
        status=Counter.Status.SUPERSEDED, answered_at=now
    )
    Offer.objects.filter(brief=brief, status__in=Offer.LIVE).update(
        status=Offer.Status.DECLINED, updated_at=now
    )
    brief.status, brief.closed_at = status, now
    return brief


@transaction.atomic
def brief_close(*, brief: Brief, author, now: dt.datetime) -> Brief:
    """Stop taking offers without accepting one; open offers are declined.

    :raises NotPermitted: if ``author`` did not post the brief.
    :raises BriefClosed: if it was closed already.
    """
    return _brief_end(brief, author=author, now=now, status=Brief.Status.CLOSED)


@transaction.atomic
def brief_cancel(*, brief: Brief, author, now: dt.datetime) -> Brief:
    """Withdraw the brief altogether: it leaves the board; open offers are declined.

    :raises NotPermitted: if ``author`` did not post the brief.
    :raises BriefClosed: if it was closed already.
    """
    return _brief_end(brief, author=author, now=now, status=Brief.Status.CANCELLED)


# --- Offers ------------------------------------------------------------------------


@transaction.atomic
def offer_create(
    *,
    brief: Brief,
    provider,
    price: MoneyInput,
    delivery_days: int,
    now: dt.datetime,
    message: str = "",
    milestones: list[dict[str, Any]] | None = None,
    usage_rights: dict[str, Any] | None = None,
    revisions: int = DEFAULT_REVISIONS,
    expires_in_days: int = DEFAULT_EXPIRY_DAYS,
) -> Offer:
    """Answer an open brief with an offer in the brief's currency.

    :raises NotPermitted: if ``provider`` posted the brief or is not an active
        member of its community.
    :raises BriefClosed: if the brief takes no more offers.
    :raises OfferExists: if ``provider`` has a live offer on it already.
    :raises InvalidInput: naming the first bad field; nothing is stored.
    """
    if brief.author_id == provider.pk:
        raise NotPermitted(
            gettext("You cannot make an offer on your own brief."), code="own_brief"
        )
    member_required(
        community=brief.community, member=provider, doing="make offers there"
    )
    _require_open(brief)
    amount = _in_currency(_money(price, field="price"), brief.currency, field="price")
    offer = Offer(
        brief=brief,
        provider=provider,
        price_minor=amount.minor,
        delivery_days=_whole(delivery_days, field="delivery_days", low=1, high=365),
        revisions=_whole(revisions, field="revisions", low=0, high=50),
        milestones=_milestones_parse(milestones, price=amount),
        usage_rights=_usage_rights_parse(usage_rights),
        message=plain_check(message, field="message", max_length=5000, required=False),
        expires_at=now
        + dt.timedelta(
            days=_whole(
                expires_in_days, field="expires_in_days", low=1, high=MAX_EXPIRY_DAYS
            )
        ),
        created_at=now,
        updated_at=now,
    )
    # A live offer whose time ran out no longer blocks a fresh one.
    Offer.objects.filter(
        brief=brief, provider=provider, status__in=Offer.LIVE, expires_at__lte=now
    ).update(status=Offer.Status.EXPIRED, updated_at=now)
    if Offer.objects.filter(
        brief=brief, provider=provider, status__in=Offer.LIVE
    ).exists():
        raise OfferExists(
            gettext("You have an open offer on this brief; withdraw it first.")
        )
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError as exc:  # a racing twin got there first
        raise OfferExists(
            gettext("You have an open offer on this brief; withdraw it first.")
        ) from exc
    return offer


@transaction.atomic
def offer_withdraw(*, offer: Offer, provider, now: dt.datetime) -> Offer:
    """Take back a live offer (open or countered); an open counter lapses with it.

    :raises NotPermitted: if ``provider`` did not make the offer.
    :raises OfferNotOpen: if it was accepted, declined or withdrawn already.
    """
    if offer.provider_id != provider.pk:
        raise NotPermitted(
            gettext("Only the provider can withdraw an offer."), code="not_provider"
        )
    _offer_move(
        offer=offer,
        source=Offer.LIVE,
        now=now,
        status=Offer.Status.WITHDRAWN,
    )
    Counter.objects.filter(offer=offer, status=Counter.Status.OPEN).update(
        status=Counter.Status.SUPERSEDED, answered_at=now
    )
    return offer


@transaction.atomic
def offer_decline(*, offer: Offer, customer, now: dt.datetime) -> Offer:
    """The brief's author turns an offer down.

    :raises NotPermitted: if ``customer`` did not post the brief.
    :raises OfferNotOpen: if the offer is not live.
    """
    if offer.brief.author_id != customer.pk:
        raise NotPermitted(
            gettext("Only the brief's author can decline offers."), code="not_author"
        )
    _offer_move(
        offer=offer,
        source=Offer.LIVE,
        now=now,
        status=Offer.Status.DECLINED,
    )
    Counter.objects.filter(offer=offer, status=Counter.Status.OPEN).update(
        status=Counter.Status.SUPERSEDED, answered_at=now
    )
    return offer


@transaction.atomic
def offer_counter(
    *,
    offer: Offer,
    customer,
    price: MoneyInput,
    now: dt.datetime,
    delivery_days: int | None = None,
    message: str = "",
) -> Counter:
    """Propose other terms on an open offer: a price, and optionally a delivery time.

    The offer waits as ``countered`` until its provider accepts or declines.
    :raises NotPermitted: if ``customer`` did not post the brief.
    :raises BriefClosed: if the brief takes no more offers.
    :raises OfferNotOpen: if the offer is not open (or has a counter waiting).
    :raises OfferExpired: if the offer's expiry has passed.
    :raises InvalidInput: naming the bad field; nothing is stored.
    """
    brief = offer.brief
    if brief.author_id != customer.pk:
        raise NotPermitted(
            gettext("Only the brief's author can counter an offer."), code="not_author"
        )
    _require_open(brief)
    _require_live(offer, now=now)
    if offer.status == Offer.Status.COUNTERED:
        raise OfferNotOpen(
            gettext("Your last counter-proposal is still waiting for an answer.")
        )
    amount = _in_currency(_money(price, field="price"), brief.currency, field="price")
    days = (
        offer.delivery_days
        if delivery_days is None
        else _whole(delivery_days, field="delivery_days", low=1, high=365)
    )
    text = plain_check(message, field="message", max_length=2000, required=False)
    if amount.minor == offer.price_minor and days == offer.delivery_days:
        raise InvalidInput(
            gettext(
                "The counter-proposal is the same as the offer; accept the "
                "offer instead."
            ),
            field="price",
            code="counter_unchanged",
        )
    _offer_move(
        offer=offer,
        source=(Offer.Status.OPEN,),
        now=now,
        status=Offer.Status.COUNTERED,
    )
    return Counter.objects.create(
        offer=offer,
        price_minor=amount.minor,
        delivery_days=days,
        message=text,
        created_at=now,
    )


def _counter_answer(
    counter: Counter, *, provider, now: dt.datetime, status: str
) -> None:
    if counter.offer.provider_id != provider.pk:
        raise NotPermitted(
            gettext("Only the provider can answer a counter-proposal."),
            code="not_provider",
        )
    if (
        Counter.objects.filter(pk=counter.pk, status=Counter.Status.OPEN).update(
            status=status, answered_at=now
        )
        != 1
    ):
        raise CounterNotOpen(gettext("This counter-proposal was answered already."))
    counter.status, counter.answered_at = status, now


@transaction.atomic
def counter_accept(*, counter: Counter, provider, now: dt.datetime) -> Offer:
    """Take the customer's counter-proposal: the offer becomes its next revision.

    Milestones stay only when the price is unchanged; at another price the offer
    becomes one payment, because splitting a new total is the provider's call,
    not the server's.
    :raises NotPermitted: if ``provider`` did not make the offer.
    :raises CounterNotOpen: if the counter was answered already.
    :raises OfferExpired: if the offer's expiry has passed.
    """
    offer = counter.offer
    _counter_answer(counter, provider=provider, now=now, status=Counter.Status.ACCEPTED)
    _require_open(offer.brief)
    if offer.expires_at <= now:
        raise OfferExpired(gettext("This offer has expired; make a new one instead."))
    _offer_move(
        offer=offer,
        source=(Offer.Status.COUNTERED,),
        now=now,
        status=Offer.Status.OPEN,
        price_minor=counter.price_minor,
        delivery_days=counter.delivery_days,
        milestones=offer.milestones if counter.price_minor == offer.price_minor else [],
        revision=offer.revision + 1,
    )
    return offer


@transaction.atomic
def counter_decline(*, counter: Counter, provider, now: dt.datetime) -> Offer:
    """Keep the offer as it was; the customer may accept it or counter again.

    :raises NotPermitted: if ``provider`` did not make the offer.
    :raises CounterNotOpen: if the counter was answered already.
    """
    offer = counter.offer
    _counter_answer(counter, provider=provider, now=now, status=Counter.Status.DECLINED)
    _offer_move(
        offer=offer,
        source=(Offer.Status.COUNTERED,),
        now=now,
        status=Offer.Status.OPEN,
    )
    return offer


def offer_terms(offer: Offer) -> Terms:
    """The terms a commission starts with: a copy of the offer's current revision."""
    brief = offer.brief
    currency = brief.currency
    price = Money(offer.price_minor, currency)
    return Terms(
        line_items=[LineItem(label=brief.title, unit_price=price, quantity=1)],
        currency=currency,
        delivery_days=offer.delivery_days,
        revisions=offer.revisions,
        usage_rights=dict(offer.usage_rights),
        milestones=[
            Milestone(title=m["title"], amount=Money(m["amount_minor"], currency))
            for m in offer.milestones
        ],
        requirements=brief.description,
    )


@transaction.atomic
def offer_accept(*, offer: Offer, customer, now: dt.datetime) -> Exchange:
    """Accept a provider's offer on the customer's brief and start a commission.

    The brief closes to further offers, the other live offers are declined, and
    the exchange copies the offer's terms: price, delivery days, revisions,
    milestones and usage rights.
    :raises NotPermitted: if ``customer`` did not post the brief, or the provider
        left the community.
    :raises BriefClosed: if the brief was closed (another offer accepted).
    :raises OfferNotOpen: if the offer was withdrawn, declined or accepted.
    :raises OfferExpired: if the offer's expiry has passed.
    """
    brief = offer.brief
    if brief.author_id != customer.pk:
        raise NotPermitted(
            gettext("Only the brief's author can accept offers."), code="not_author"
        )
    _require_open(brief)
    _require_live(offer, now=now)
    member_required(
        community=brief.community, member=offer.provider, doing="take commissions"
    )
    # Close the brief first: the row lock makes a racing accept of another
    # offer wait here, then find the brief closed.
    if (
        Brief.objects.filter(pk=brief.pk, status=Brief.Status.OPEN).update(
            status=Brief.Status.CLOSED, closed_at=now
        )
        != 1
    ):
        raise BriefClosed(gettext("This brief takes no more offers."))
    brief.status, brief.closed_at = Brief.Status.CLOSED, now
    exchange = exchange_start(
        process="commission",
        customer=customer,
        provider=offer.provider,
        community=brief.community,
        terms=offer_terms(offer),
        now=now,
        source="offer",
    )
    _offer_move(
        offer=offer,
        source=Offer.LIVE,
        now=now,
        status=Offer.Status.ACCEPTED,
        exchange_public_id=exchange.public_id,
    )
    Counter.objects.filter(offer__brief=brief, status=Counter.Status.OPEN).update(
        status=Counter.Status.SUPERSEDED, answered_at=now
    )
    Offer.objects.filter(brief=brief, status__in=Offer.LIVE).exclude(
        pk=offer.pk
    ).update(status=Offer.Status.DECLINED, updated_at=now)
    return exchange


@transaction.atomic
def offers_expire(*, now: dt.datetime) -> int:
    """Mark live offers whose expiry has passed as expired; return how many.

    Expiry is also checked wherever an offer is used, so this only tidies the
    stored status (a worker or ``selfwork`` command may run it at any time).
    """
    Counter.objects.filter(
        offer__status__in=Offer.LIVE,
        offer__expires_at__lte=now,
        status=Counter.Status.OPEN,
    ).update(status=Counter.Status.SUPERSEDED, answered_at=now)
    return Offer.objects.filter(status__in=Offer.LIVE, expires_at__lte=now).update(
        status=Offer.Status.EXPIRED, updated_at=now
    )
