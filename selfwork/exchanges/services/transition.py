"""Moving an exchange: ``exchange_transition``, the one way an exchange changes state.

It checks the actor's role, moves the state with one compare-and-set UPDATE (so
of two racing callers exactly one wins, on SQLite and PostgreSQL), runs the
transition's actions in the same database transaction, records the event, swaps
the timers and queues outbox events. Anything that fails rolls all of it back.
"""

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q

from selfwork.core.errors import InvalidInput, NotFound, NotPermitted
from selfwork.core.models import Upload
from selfwork.core.text import markdown_check, plain_check
from selfwork.exchanges.actions import ActionContext, actions_run
from selfwork.exchanges.engine import Transition
from selfwork.exchanges.errors import GuardFailed, InvalidTransition
from selfwork.exchanges.models import Delivery, Exchange, ExchangeEvent, Licence
from selfwork.exchanges.selectors import exchange_process, exchange_roles
from selfwork.exchanges.services.common import outbox_queue, timers_schedule

MAX_FILES = 20


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
    timers_schedule(exchange=exchange, process=process, state=target.name, now=now)
    if target.success and exchange.usage_rights:
        _licence_grant(exchange=exchange, now=now)
    outbox_queue(
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
