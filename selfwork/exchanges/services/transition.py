"""Moving an exchange: ``exchange_transition``, the one way an exchange changes state.

It checks the actor's role, moves the state with one compare-and-set UPDATE (so
of two racing callers exactly one wins, on SQLite and PostgreSQL), runs the
transition's actions in the same database transaction, records the event, swaps
the timers and queues outbox events. Anything that fails rolls all of it back.
Gateways are called outside that transaction: payments the customer waits for
before it (and given back if it fails), everything else after it commits.
"""

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput, NotFound, NotPermitted
from selfwork.core.logs import log_on_commit
from selfwork.exchanges.actions import (
    ACTIONS,
    ActionContext,
    actions_announced,
    actions_give_back,
    actions_run,
    actions_take,
    notice_queue,
    reviews_open,
)
from selfwork.exchanges.engine import Transition
from selfwork.exchanges.errors import InvalidTransition
from selfwork.exchanges.guards import (
    guard_failure,
    guards_changes,
    guards_hold,
    guards_waiting,
    guards_where,
)
from selfwork.exchanges.models import Exchange, ExchangeEvent, Licence, Timer
from selfwork.exchanges.params import (
    PARAMS,
    ParamContext,
    params_clean,
    params_recorded,
)
from selfwork.exchanges.selectors import exchange_process, exchange_roles
from selfwork.exchanges.services.common import (
    exchange_announce_all,
    outbox_queue,
    timers_schedule,
)
from selfwork.notifications.models import Kind
from selfwork.payments.services import calls_after_commit

logger = logging.getLogger("selfwork.exchanges")


def _role_for(exchange: Exchange, actor, transition: Transition) -> str:
    if actor is None:
        if "system" not in transition.actors:
            raise NotPermitted(
                gettext("%(name)s is taken by %(value)s.")
                % {"name": transition.name, "value": ", ".join(transition.actors)}
            )
        return "system"
    roles = exchange_roles(exchange=exchange, member=actor)
    if not roles:
        raise NotFound(gettext("No such exchange."), code="exchange_not_found")
    allowed = roles & set(transition.actors)
    if not allowed:
        who = ", ".join(
            "the system on its timer" if a == "system" else f"the {a}"
            for a in transition.actors
        )
        raise NotPermitted(
            gettext("Only %(who)s may %(label)s.")
            % {"who": who, "label": transition.label.lower()}
        )
    return sorted(allowed)[0]


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

    No gateway is called inside the transaction: a payment the transition takes
    (a card charged, a deposit authorised) is taken first, after the same checks
    the transaction makes, and claimed inside it; if the transition then fails
    it is given back. Refunds, payouts and voids its actions queue are made once
    it has committed.

    :raises NotFound: ``actor`` is no party or operator of the exchange.
    :raises NotPermitted: the transition is another role's.
    :raises InvalidInput: ``unknown_transition``, ``unknown_parameter``, a
        missing or bad parameter.
    :raises InvalidTransition: not possible from the current state (409).
    :raises GuardFailed: a guard does not hold, e.g. ``no_revisions_left``.
    :raises PaymentDeclined: (402) the card was declined; the exchange did not
        move, and the declined attempt is kept.
    """
    # Loaded once and handed down: the process of the version the exchange pinned.
    process = exchange_process(exchange=exchange)
    with calls_after_commit():
        taken = _payments_take(
            exchange=exchange,
            process=process,
            actor=actor,
            name=name,
            params=params,
            now=now,
            from_state=from_state,
        )
        try:
            return _transition(
                exchange=exchange,
                process=process,
                actor=actor,
                name=name,
                params=params,
                now=now,
                from_state=from_state,
                taken=taken,
            )
        except BaseException:
            actions_give_back(taken, now)
            raise


# The parties and the community every transition reads (roles, notices, payments),
# fetched with the exchange's row in one query.
PARTIES = ("customer", "provider", "community")


def _payments_take(
    *,
    exchange: Exchange,
    process,
    actor,
    name: str,
    params: dict | None,
    now: dt.datetime,
    from_state: str | None,
) -> dict[str, Any]:
    """Take the payments the transition needs, checked first as it will be."""
    transition = process.transitions.get(name) if isinstance(name, str) else None
    if transition is None or not any(
        ACTIONS[action].take is not None for action in transition.actions
    ):
        return {}
    fresh = Exchange.objects.select_related(*PARTIES).get(pk=exchange.pk)
    role, params, _current = _checked(
        exchange=fresh,
        process=process,
        transition=transition,
        actor=actor,
        params=params,
        now=now,
        from_state=from_state,
    )
    if not guards_hold(fresh, transition.guards, now, role):
        raise guard_failure(fresh, transition.guards, now, role)
    ctx = ActionContext(
        exchange=fresh,
        process=process,
        transition=transition,
        actor=actor,
        role=role,
        params=params,
        seq=_next_seq(fresh),
        now=now,
    )
    return actions_take(ctx)


def _next_seq(exchange: Exchange) -> int:
    last = ExchangeEvent.objects.filter(exchange=exchange).aggregate(m=Max("seq"))
    return (last["m"] or 0) + 1


def _checked(
    *,
    exchange: Exchange,
    process,
    transition: Transition,
    actor,
    params: dict | None,
    now: dt.datetime,
    from_state: str | None,
) -> tuple[str, dict[str, Any], str]:
    """The actor's role, the clean params and the state, if the move is possible.

    ``exchange`` is read fresh by the caller (locked, inside the transaction):
    its state is the one the move starts from.
    """
    role = _role_for(exchange, actor, transition)
    params = params_clean(
        transition=transition.name,
        names=transition.params,
        required=transition.required,
        values=params,
        ctx=ParamContext(actor=actor, exchange=exchange),
    )
    current = exchange.state
    sources = {from_state} if from_state is not None else set(transition.sources)
    if current is None or current not in sources & set(transition.sources):
        raise InvalidTransition(
            gettext("The exchange is %(current)s; %(name)s is possible from %(value)s.")
            % {
                "current": current,
                "name": transition.name,
                "value": ", ".join(transition.sources),
            },
            state=current,
        )
    # Guards that wait on other rows (a payment a host has yet to confirm) are
    # not conditions on this row: checked here, they say "not yet" (409).
    if guards_waiting(exchange, transition.guards, now):
        raise guard_failure(exchange, transition.guards, now, role)
    return role, params, current


@transaction.atomic
def _transition(
    *,
    exchange: Exchange,
    process,
    actor,
    name: str,
    params: dict | None,
    now: dt.datetime,
    from_state: str | None,
    taken: dict[str, Any],
) -> Exchange:
    transition = process.transitions.get(name) if isinstance(name, str) else None
    if transition is None:
        raise InvalidInput(
            gettext(
                "'%(name)s' is not a transition of the %(name2)s process; it "
                "has %(value)s."
            )
            % {
                "name": str(name)[:40],
                "name2": process.name,
                "value": ", ".join(process.transitions),
            },
            field="name",
            code="unknown_transition",
        )
    # The row is locked before it is checked: a racing call waits here, then
    # reads the state the winner left and is refused (or moves on from it),
    # and the exchange, its parties and community are read once for the whole
    # transition. (SQLite ignores FOR UPDATE: its IMMEDIATE transactions
    # already serialise writers.)
    exchange.refresh_from_db(
        from_queryset=Exchange.objects.select_for_update(of=("self",)).select_related(
            *PARTIES
        )
    )
    role, params, current = _checked(
        exchange=exchange,
        process=process,
        transition=transition,
        actor=actor,
        params=params,
        now=now,
        from_state=from_state,
    )
    target = process.states[transition.target]
    match = Q(pk=exchange.pk, state=current) & guards_where(
        transition.guards, now, role
    )
    changes: dict[str, Any] = {
        "state": target.name,
        "state_entered_at": now,
        "updated_at": now,
        **guards_changes(transition.guards),
    }
    if target.terminal:
        changes["closed_at"] = now
    # The compare-and-set: of two racing callers exactly one finds the row still
    # in ``current`` (PostgreSQL re-checks the WHERE after the winner commits).
    if Exchange.objects.filter(match).update(**changes) != 1:
        fresh = Exchange.objects.filter(pk=exchange.pk).first()
        if fresh is None or fresh.state != current:
            raise InvalidTransition(
                gettext(
                    "The exchange moved on meanwhile; %(name)s is no longer possible."
                )
                % {"name": transition.name},
                state=getattr(fresh, "state", None),
            )
        raise guard_failure(fresh, transition.guards, now, role)

    spent = guards_changes(transition.guards)
    if spent:  # computed by the database (a revision used): read them back
        exchange.refresh_from_db(fields=list(spent))
    for field, value in changes.items():
        if field not in spent:
            setattr(exchange, field, value)
    seq = _next_seq(exchange)
    ctx = ActionContext(
        exchange=exchange,
        process=process,
        transition=transition,
        actor=actor,
        role=role,
        params=params,
        seq=seq,
        now=now,
        taken=taken,
    )
    actions_run(ctx)
    if ctx.waits_in:
        target = process.states[ctx.waits_in]
    for name in transition.params:
        hook = PARAMS[name].on_taken
        if hook is not None:
            hook(exchange, params.get(name), params, now)
    recorded = params_recorded(params)
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
    started = timers_schedule(
        exchange=exchange, process=process, state=target.name, now=now
    )
    if target.success and exchange.usage_rights:
        exchange.licence = _licence_grant(exchange=exchange, now=now)
    # Reviews are keyed on a successful end, whatever the process: one whose
    # file forgets ``publish_reviews`` still lets its parties review each other.
    if target.success:
        reviews_open(ctx)
    outbox_queue(
        "exchange.transitioned",
        exchange=exchange,
        now=now,
        transition=transition.name,
        actor_role=role,
        from_state=current,
        to_state=target.name,
    )
    moved_to = {
        "process": process.name,
        "transition": transition.name,
        "from_state": current,
        "to_state": target.name,
    }
    exchange_announce_all(
        [("exchange.transitioned", moved_to)]
        + [(kind, {}) for kind in actions_announced(ctx, success=target.success)],
        exchange=exchange,
        now=now,
    )
    moved = {
        "exchange": str(exchange.public_id),
        "process_name": process.name,
        "transition": transition.name,
        "from_state": current,
        "to_state": target.name,
        "actor_role": role,
    }
    log_on_commit(logger, "exchange transitioned", moved)
    # Only a timer this transition just started can be due now: the state's
    # older ones were cancelled above.
    took_more = any(timer.due_at <= now for timer in started) and timers_take_due_now(
        exchange=exchange, process=process, state=target.name, now=now
    )
    for listing_id in ctx.listings_taken:
        _automatic_steps_on(listing_id=listing_id, leaving=exchange, now=now)
    if took_more:
        # An automatic step moved the exchange on: read where it ended.
        exchange.refresh_from_db(
            from_queryset=Exchange.objects.select_related(*PARTIES)
        )
    return exchange


def _licence_grant(*, exchange: Exchange, now: dt.datetime) -> Licence:
    # Granted only here, with the exchange's row locked: no other call can be
    # granting it meanwhile, so no savepoint is needed around the insert.
    granted = Licence.objects.filter(exchange=exchange).first()
    if granted is not None:
        return granted
    rights = exchange.usage_rights
    return Licence.objects.create(
        exchange=exchange,
        terms={
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
        created_at=now,
    )


@transaction.atomic
def exchange_remind(
    *, exchange: Exchange, name: str, timer: Timer, now: dt.datetime
) -> None:
    """Send the process's reminder ``name`` to both parties; repeat it if it says so.

    A reminder changes nothing on the exchange. One that repeats (``every``)
    starts its next timer while the exchange stays in the state.
    """
    process = exchange_process(exchange=exchange)
    reminder = process.reminders.get(name)
    if reminder is None or exchange.state != timer.state:
        return
    notice_queue(
        exchange=exchange,
        process=process,
        label=reminder.label_lazy,
        detail=reminder.description,
        recipients=[exchange.customer, exchange.provider],
        kind=Kind.REMINDER,
        now=now,
    )
    if reminder.every is not None:
        Timer.objects.create(
            exchange=exchange,
            kind=Timer.Kind.REMINDER,
            transition=name,
            state=timer.state,
            due_at=timer.due_at + reminder.every,
            created_at=now,
        )


def _automatic_steps_on(*, listing_id: int, leaving: Exchange, now: dt.datetime):
    """Let the other open exchanges on a listing just taken take their automatic steps.

    When a gift is promised or a thing swapped, the other requests and proposals
    on it end (their process says how: a system transition due on entering the
    state and guarded by ``listing_taken``), each recorded on its own timeline
    with its notice, in this same transaction.
    """
    others = (
        Exchange.objects.filter(
            Q(listing_id=listing_id) | Q(offered_listing_id=listing_id),
            closed_at__isnull=True,
        )
        .exclude(pk=leaving.pk)
        .order_by("pk")
    )
    for other in others:
        process = exchange_process(exchange=other)
        for step in process.timers_from(other.state):
            if not step.is_automatic or not guards_hold(other, step.guards, now):
                continue
            exchange_transition(
                exchange=other,
                actor=None,
                name=step.name,
                params={},
                now=now,
                from_state=other.state,
            )
            break


def timers_take_due_now(
    *, exchange: Exchange, process, state: str, now: dt.datetime
) -> bool:
    """Take at once a system transition of ``state`` that is due now and possible.

    A timer ``at = "entered"`` is an automatic step (confirm an instant booking
    on payment): it runs in the same request when its guards hold, instead of
    waiting for the worker; when they do not, it is skipped. Returns whether
    one was taken.
    """
    due = Timer.objects.filter(
        exchange=exchange,
        done=False,
        kind=Timer.Kind.TRANSITION,
        state=state,
        due_at__lte=now,
    ).order_by("due_at", "pk")
    for timer in due:
        transition = process.transitions[timer.transition]
        fresh = Exchange.objects.select_related(*PARTIES).get(pk=exchange.pk)
        if fresh.state != state:
            return False
        if not guards_hold(fresh, transition.guards, now):
            if guards_waiting(fresh, transition.guards, now):
                continue  # the worker tries it again until it holds
            Timer.objects.filter(pk=timer.pk, done=False).update(
                done=True,
                done_at=now,
                outcome=Timer.Outcome.SKIPPED,
                detail="Its guards do not hold.",
            )
            continue
        Timer.objects.filter(pk=timer.pk, done=False).update(
            done=True, done_at=now, outcome=Timer.Outcome.FIRED
        )
        exchange_transition(
            exchange=fresh,
            actor=None,
            name=timer.transition,
            params={},
            now=now,
            from_state=state,
        )
        return True
    return False
