"""Writes on exchanges: start one, order from a listing, move it, talk in it.

``exchange_transition`` is the one way an exchange moves. It checks the actor's
role, moves the state with one compare-and-set UPDATE (so of two racing callers
exactly one wins, on SQLite and PostgreSQL), runs the transition's actions in
the same database transaction, records the event, swaps the timers and queues
outbox events. Anything that fails rolls all of it back.
"""

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q

from selfwork.accounts.models import Member
from selfwork.catalog.models import Listing, ListingMode
from selfwork.catalog.selectors import listing_get
from selfwork.communities.models import Community, Mode
from selfwork.core.errors import InvalidInput, NotFound, NotPermitted
from selfwork.core.models import Upload
from selfwork.core.money import Money
from selfwork.core.text import markdown_check, plain_check
from selfwork.exchanges.actions import ActionContext, actions_run
from selfwork.exchanges.engine import (
    Process,
    Transition,
    process_load,
    process_version_pin,
)
from selfwork.exchanges.errors import CommissionsClosed, GuardFailed, InvalidTransition
from selfwork.exchanges.models import (
    Delivery,
    Exchange,
    ExchangeEvent,
    Licence,
    Message,
    OutboxEvent,
    Timer,
)
from selfwork.exchanges.selectors import exchange_process, exchange_roles
from selfwork.exchanges.terms import LineItem, Terms, terms_check

MAX_FILES = 20
MODE_PROCESS = {Mode.SERVICE: "commission", Mode.MADE_TO_ORDER: "purchase"}


def _member_check(member: object, *, field: str) -> None:
    if not isinstance(member, Member) or member.pk is None:
        raise InvalidInput(f"{field} must be a member.", field=field)


def _timers_schedule(
    *, exchange: Exchange, process: Process, state: str, now: dt.datetime
) -> None:
    """Cancel the timers of the state left; start those of ``state``."""
    Timer.objects.filter(exchange=exchange, done=False).update(
        done=True, done_at=now, outcome=Timer.Outcome.CANCELLED
    )
    Timer.objects.bulk_create(
        Timer(
            exchange=exchange,
            transition=t.name,
            state=state,
            due_at=now + t.after,
            created_at=now,
        )
        for t in process.timers_from(state)
        if t.after is not None
    )


def _outbox(kind: str, *, exchange: Exchange, now: dt.datetime, **payload: Any) -> None:
    OutboxEvent.objects.create(
        kind=kind,
        exchange=exchange,
        payload={"exchange": str(exchange.public_id), **payload},
        created_at=now,
        available_at=now,
    )


@transaction.atomic
def exchange_start(
    *,
    process: str,
    customer,
    provider,
    community: Community,
    terms: Terms,
    now: dt.datetime,
    listing: Listing | None = None,
    source: str = "listing",
    title: str = "",
) -> Exchange:
    """Start an exchange on the current version of ``process``, in its initial state.

    The exchange copies ``terms`` and pins the process version; its initial
    state's timers start now.

    :raises NotFound: if there is no such process.
    :raises InvalidInput: bad parties (``self_exchange`` when they are one
        member), terms, source, or a currency other than the community's
        payments accept.
    """
    _member_check(customer, field="customer")
    _member_check(provider, field="provider")
    if customer.pk == provider.pk:
        raise InvalidInput(
            "A member cannot exchange with themselves.",
            field="provider",
            code="self_exchange",
        )
    if not isinstance(community, Community) or community.pk is None:
        raise InvalidInput("community must be a community.", field="community")
    if source not in Exchange.Source.values:
        raise InvalidInput(
            f"source is one of {', '.join(Exchange.Source.values)}.", field="source"
        )
    terms_check(terms)
    definition = process_load(process)
    process_version_pin(definition, now=now)
    label = title or (listing.title if listing is not None else "")
    label = label or terms.line_items[0].label
    exchange = Exchange.objects.create(
        process_name=definition.name,
        process_version=definition.version,
        state=definition.initial,
        customer=customer,
        provider=provider,
        community=community,
        listing=listing,
        source=source,
        title=label[:200],
        currency=terms.currency,
        total_minor=terms.total.minor,
        line_items=[item.as_json() for item in terms.line_items],
        delivery_days=terms.delivery_days,
        revisions_allowed=terms.revisions,
        usage_rights=dict(terms.usage_rights),
        milestones=[m.as_json() for m in terms.milestones],
        milestone_count=len(terms.milestones),
        requirements=terms.requirements,
        created_at=now,
        updated_at=now,
        state_entered_at=now,
    )
    ExchangeEvent.objects.create(
        exchange=exchange,
        seq=1,
        actor=customer,
        actor_role="customer",
        name="start",
        from_state="",
        to_state=definition.initial,
        params={"source": source},
        created_at=now,
    )
    _timers_schedule(
        exchange=exchange, process=definition, state=definition.initial, now=now
    )
    _outbox(
        "exchange.started",
        exchange=exchange,
        now=now,
        process=definition.name,
        state=definition.initial,
    )
    return exchange


def _order_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidInput("quantity is a whole number.", field="quantity")
    if not 1 <= quantity <= 100:
        raise InvalidInput("quantity is 1 to 100.", field="quantity")
    return quantity


def _service_terms(
    listing: Listing,
    mode: ListingMode,
    package: str | None,
    quantity: int,
    requirements: str,
) -> Terms:
    packages = list(mode.packages.all())
    if package is None:
        if len(packages) != 1:
            raise InvalidInput(
                "Choose a package: "
                + ", ".join(f"{p.name} ({p.public_id})" for p in packages),
                field="package",
                code="package_required",
            )
        chosen = packages[0]
    else:
        matches = [
            p for p in packages if str(p.public_id) == str(package) or p.name == package
        ]
        if not matches:
            raise InvalidInput(
                "That package is not one of this listing's.",
                field="package",
                code="unknown_package",
            )
        chosen = matches[0]
    unit = Money(chosen.price_minor, chosen.unit)
    return Terms(
        line_items=[
            LineItem(
                label=f"{listing.title} — {chosen.name}"[:200],
                unit_price=unit,
                quantity=quantity,
            )
        ],
        currency=chosen.unit,
        delivery_days=chosen.delivery_days,
        revisions=chosen.revisions,
        usage_rights={"use": "personal", "credit_required": False},
        requirements=requirements,
    )


def _purchase_terms(
    listing: Listing,
    mode: ListingMode,
    quantity: int,
    options: dict[str, Any],
    personalisation: dict[str, Any],
    requirements: str,
) -> Terms:
    if mode.price_minor is None:
        raise InvalidInput("This listing has no price.", field="mode")
    unit = mode.unit
    items = [
        LineItem(
            label=listing.title[:200],
            unit_price=Money(mode.price_minor, unit),
            quantity=quantity,
        )
    ]
    if not isinstance(options, dict):
        raise InvalidInput(
            'options is {"<option name>": "<choice label>"}.', field="options"
        )
    known = {o["name"]: o for o in mode.options}
    for name in options:
        if name not in known:
            raise InvalidInput(
                f"'{str(name)[:60]}' is not an option of this listing.",
                field="options",
                code="unknown_option",
            )
    for name, option in known.items():
        if name not in options:
            raise InvalidInput(
                f"Choose the {name}: "
                + ", ".join(c["label"] for c in option["choices"]),
                field=f"options.{name}",
                code="option_required",
            )
        choice = next(
            (c for c in option["choices"] if c["label"] == options[name]), None
        )
        if choice is None:
            raise InvalidInput(
                f"'{str(options[name])[:60]}' is not a choice of {name}.",
                field=f"options.{name}",
                code="unknown_choice",
            )
        items.append(
            LineItem(
                label=f"{name}: {choice['label']}"[:200],
                unit_price=Money(int(choice["price_delta_minor"]), unit),
                quantity=quantity,
            )
        )
    if not isinstance(personalisation, dict):
        raise InvalidInput(
            'personalisation is {"<prompt>": "<answer>"}.', field="personalisation"
        )
    prompts = {p["prompt"]: p for p in mode.personalisation}
    for prompt in personalisation:
        if prompt not in prompts:
            raise InvalidInput(
                f"'{str(prompt)[:60]}' is not a personalisation prompt of this listing.",
                field="personalisation",
                code="unknown_prompt",
            )
    for prompt, spec in prompts.items():
        answer = personalisation.get(prompt, "")
        answer = plain_check(
            answer,
            field=f"personalisation.{prompt}",
            max_length=200,
            required=spec.get("required", False),
        )
        if answer:
            items.append(
                LineItem(
                    label=f"{prompt}: {answer}"[:200],
                    unit_price=Money(0, unit),
                    quantity=1,
                )
            )
    return Terms(line_items=items, currency=unit, requirements=requirements)


@transaction.atomic
def exchange_order(
    *,
    listing: Listing,
    customer,
    mode: str,
    now: dt.datetime,
    package: str | None = None,
    quantity: int = 1,
    options: dict | None = None,
    requirements: str = "",
    personalisation: dict | None = None,
) -> Exchange:
    """Order from ``listing`` in ``mode``: the server prices it and starts its process.

    A ``service`` package starts a ``commission`` (its delivery days and
    revisions copied); a ``made_to_order`` product with its options and
    personalisation becomes a ``purchase``.

    :raises NotFound: if ``customer`` may not see the listing.
    :raises InvalidInput: an unknown or unsupported mode, package, option or
        choice, a missing required choice or answer, a bad quantity;
        ``self_exchange`` for one's own listing.
    :raises CommissionsClosed: if the provider takes no commissions now.
    """
    _member_check(customer, field="customer")
    listing = listing_get(public_id=listing.public_id, viewer=customer)
    if listing.status != Listing.Status.ACTIVE:
        raise NotFound("No such listing.", code="listing_not_found")
    if mode not in MODE_PROCESS:
        raise InvalidInput(
            f"Orders are for the modes {', '.join(MODE_PROCESS)}.",
            field="mode",
            code="mode_not_orderable",
        )
    row = next((m for m in listing.modes.all() if m.mode == mode), None)
    if row is None:
        raise InvalidInput(
            f"This listing is not offered as {mode}.", field="mode", code="unknown_mode"
        )
    if listing.owner_id == customer.pk:
        raise InvalidInput(
            "You cannot order from your own listing.",
            field="listing",
            code="self_exchange",
        )
    quantity = _order_quantity(quantity)
    requirements = markdown_check(
        requirements, field="requirements", max_length=10000, required=False
    )
    if mode == Mode.SERVICE:
        provider = listing.owner
        if provider.commission_status == Member.CommissionStatus.CLOSED:
            raise CommissionsClosed(
                f"{provider.name} is not taking commissions right now."
            )
        terms = _service_terms(listing, row, package, quantity, requirements)
    else:
        if package is not None:
            raise InvalidInput(
                "Packages belong to services.", field="package", code="unknown_package"
            )
        terms = _purchase_terms(
            listing, row, quantity, options or {}, personalisation or {}, requirements
        )
    return exchange_start(
        process=MODE_PROCESS[Mode(mode)],
        customer=customer,
        provider=listing.owner,
        community=listing.community,
        terms=terms,
        now=now,
        listing=listing,
        source=Exchange.Source.LISTING,
        title=listing.title,
    )


# --- Transitions -------------------------------------------------------------------


def _files_clean(value: object, *, actor) -> list[Upload]:
    if not isinstance(value, list) or len(value) > MAX_FILES:
        raise InvalidInput(
            f"files is a list of at most {MAX_FILES} upload ids.", field="files"
        )
    keys = []
    for item in value:
        try:
            keys.append(uuid.UUID(str(item)))
        except ValueError as exc:
            raise InvalidInput(
                f"'{str(item)[:40]}' is not an upload id.",
                field="files",
                code="unknown_upload",
            ) from exc
    if len(set(keys)) != len(keys):
        raise InvalidInput("files names an upload twice.", field="files")
    uploads = {
        u.public_id: u for u in Upload.objects.filter(public_id__in=keys, owner=actor)
    }
    missing = [str(k) for k in keys if k not in uploads]
    if missing:
        raise InvalidInput(
            f"No upload of yours has the id {missing[0]}.",
            field="files",
            code="unknown_upload",
        )
    return [uploads[k] for k in keys]


def _params_clean(
    transition: Transition, params: object, *, actor
) -> tuple[dict[str, Any], list[Upload]]:
    """Check ``params`` against what ``transition`` takes; return them and any files."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InvalidInput("params is an object.", field="params")
    unknown = sorted(set(params) - set(transition.params))
    if unknown:
        takes = ", ".join(transition.params) or "no parameters"
        raise InvalidInput(
            f"{transition.name} takes {takes}; not '{str(unknown[0])[:30]}'.",
            field=str(unknown[0])[:30],
            code="unknown_parameter",
        )
    clean: dict[str, Any] = {}
    files: list[Upload] = []
    for name, value in params.items():
        if value is None:
            continue
        if name == "card":
            if not isinstance(value, str) or len(value) > 40:
                raise InvalidInput(
                    "card is a card number.", field="card", code="invalid_card"
                )
            clean[name] = value
        elif name == "note":
            clean[name] = markdown_check(value, field="note", max_length=4000)
        elif name == "reason":
            clean[name] = plain_check(value, field="reason", max_length=1000)
        elif name == "tracking":
            clean[name] = plain_check(value, field="tracking", max_length=200)
        elif name == "refund_percent":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= 100
            ):
                raise InvalidInput(
                    "refund_percent is a whole number from 0 to 100.",
                    field="refund_percent",
                )
            clean[name] = value
        elif name == "files":
            files = _files_clean(value, actor=actor)
            clean[name] = [str(u.public_id) for u in files]
    for name in transition.required:
        if clean.get(name) in (None, "", []):
            raise InvalidInput(
                f"{transition.name} needs {name}.", field=name, code="required"
            )
    if "files" in transition.params and not files and not clean.get("note"):
        raise InvalidInput(
            "A delivery needs a note or at least one file.",
            field="files",
            code="required",
        )
    return clean, files


def _role_for(exchange: Exchange, actor, transition: Transition) -> str:
    if actor is None:
        if "system" not in transition.actors:
            raise NotPermitted(
                f"{transition.name} is taken by {', '.join(transition.actors)}."
            )
        return "system"
    roles = exchange_roles(exchange=exchange, member=actor)
    if not roles:
        raise NotFound("No such exchange.", code="exchange_not_found")
    allowed = roles & set(transition.actors)
    if not allowed:
        who = ", ".join(
            "the system on its timer" if a == "system" else f"the {a}"
            for a in transition.actors
        )
        raise NotPermitted(f"Only {who} may {transition.label.lower()}.")
    return sorted(allowed)[0]


def _guard_detail(transition: Transition, exchange: Exchange) -> GuardFailed:
    if "revisions_left" in transition.guards:
        return GuardFailed(
            f"All {exchange.revisions_allowed} revision(s) were used.",
            code="no_revisions_left",
        )
    if "milestones_left" in transition.guards:
        return GuardFailed(
            "This is the last milestone; accept it instead.", code="final_milestone"
        )
    if "final_milestone" in transition.guards:
        return GuardFailed(
            "Milestones remain; accept this milestone instead.",
            code="milestones_left",
        )
    return GuardFailed("This is not possible now.")


@transaction.atomic
def exchange_transition(
    *,
    exchange: Exchange,
    actor,
    name: str,
    params: dict | None,
    now: dt.datetime,
    from_state: str | None = None,
) -> Exchange:
    """Take the transition ``name`` on ``exchange`` as ``actor`` (None: the system).

    Runs on the process version the exchange pinned. ``from_state``, when given
    (timers), moves only from that state.

    :raises NotFound: ``actor`` is no party or operator of the exchange.
    :raises NotPermitted: the transition is another role's.
    :raises InvalidInput: ``unknown_transition``, ``unknown_parameter``, a
        missing or bad parameter.
    :raises InvalidTransition: not possible from the current state (409).
    :raises GuardFailed: a guard does not hold, e.g. ``no_revisions_left``.
    :raises PaymentDeclined: (402) the card was declined; nothing changed.
    """
    process = exchange_process(exchange=exchange)
    transition = process.transitions.get(name) if isinstance(name, str) else None
    if transition is None:
        raise InvalidInput(
            f"'{str(name)[:40]}' is not a transition of the {process.name} process; "
            f"it has {', '.join(process.transitions)}.",
            field="name",
            code="unknown_transition",
        )
    role = _role_for(exchange, actor, transition)
    params, files = _params_clean(transition, params, actor=actor)

    current = (
        Exchange.objects.filter(pk=exchange.pk).values_list("state", flat=True).first()
    )
    sources = {from_state} if from_state is not None else set(transition.sources)
    if current is None or current not in sources & set(transition.sources):
        raise InvalidTransition(
            f"The exchange is {current}; {transition.name} is possible from "
            f"{', '.join(transition.sources)}.",
            state=current,
        )
    target = process.states[transition.target]
    match = Q(pk=exchange.pk, state=current)
    changes: dict[str, Any] = {
        "state": target.name,
        "state_entered_at": now,
        "updated_at": now,
    }
    if "revisions_left" in transition.guards:
        match &= Q(revisions_used__lt=F("revisions_allowed"))
        changes["revisions_used"] = F("revisions_used") + 1
    if "milestones_left" in transition.guards:
        match &= Q(milestone_index__lt=F("milestone_count") - 1)
    if "final_milestone" in transition.guards:
        match &= Q(milestone_index__gte=F("milestone_count") - 1)
    if target.terminal:
        changes["closed_at"] = now
    # The compare-and-set: of two racing callers exactly one finds the row still
    # in ``current`` (PostgreSQL re-checks the WHERE after the winner commits).
    if Exchange.objects.filter(match).update(**changes) != 1:
        fresh = Exchange.objects.filter(pk=exchange.pk).first()
        if fresh is None or fresh.state != current:
            raise InvalidTransition(
                f"The exchange moved on meanwhile; {transition.name} is no longer "
                "possible.",
                state=getattr(fresh, "state", None),
            )
        raise _guard_detail(transition, fresh)

    exchange.refresh_from_db()
    seq = (
        ExchangeEvent.objects.filter(exchange=exchange).aggregate(m=Max("seq"))["m"]
        or 0
    ) + 1
    ctx = ActionContext(
        exchange=exchange,
        process=process,
        transition=transition,
        actor=actor,
        role=role,
        params=params,
        seq=seq,
        now=now,
    )
    actions_run(ctx)

    if "files" in transition.params:
        number = Delivery.objects.filter(exchange=exchange).count() + 1
        delivery = Delivery.objects.create(
            exchange=exchange,
            number=number,
            note=params.get("note", ""),
            created_at=now,
        )
        delivery.files.set(files)
    recorded = {k: v for k, v in params.items() if k != "card"}
    if params.get("card"):
        recorded["card_last4"] = params["card"].replace(" ", "").replace("-", "")[-4:]
    if ctx.effects:
        recorded["effects"] = ctx.effects
    ExchangeEvent.objects.create(
        exchange=exchange,
        seq=seq,
        actor=actor,
        actor_role=role,
        name=transition.name,
        from_state=current,
        to_state=target.name,
        params=recorded,
        created_at=now,
    )
    _timers_schedule(exchange=exchange, process=process, state=target.name, now=now)
    if target.success and exchange.usage_rights:
        _licence_grant(exchange=exchange, now=now)
    _outbox(
        "exchange.transitioned",
        exchange=exchange,
        now=now,
        transition=transition.name,
        actor_role=role,
        from_state=current,
        to_state=target.name,
    )
    exchange.refresh_from_db()
    return exchange


def _licence_grant(*, exchange: Exchange, now: dt.datetime) -> Licence:
    rights = exchange.usage_rights
    licence, _ = Licence.objects.get_or_create(
        exchange=exchange,
        defaults={
            "terms": {
                "use": rights.get("use", "personal"),
                "credit_required": bool(rights.get("credit_required", False)),
                "work": exchange.title,
                "licensor": exchange.provider.name,
                "licensor_username": exchange.provider.username,
                "licensee": exchange.customer.name,
                "licensee_username": exchange.customer.username,
                "community": exchange.community.name,
                "exchange": str(exchange.public_id),
                "granted_on": now.date().isoformat(),
            },
            "created_at": now,
        },
    )
    return licence


@transaction.atomic
def message_post(*, exchange: Exchange, author, body: str, now: dt.datetime) -> Message:
    """Post ``body`` (Markdown) to ``exchange``'s conversation.

    :raises NotFound: if ``author`` is no party or operator of the exchange.
    :raises InvalidInput: an empty or too long body, or raw HTML.
    """
    if not exchange_roles(exchange=exchange, member=author):
        raise NotFound("No such exchange.", code="exchange_not_found")
    body = markdown_check(body, field="body", max_length=5000, required=True)
    message = Message.objects.create(
        exchange=exchange, author=author, body=body, created_at=now
    )
    _outbox(
        "exchange.message",
        exchange=exchange,
        now=now,
        message=str(message.public_id),
        author=str(author.public_id),
    )
    return message
