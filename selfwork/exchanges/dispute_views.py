"""The disputes console: the queue of disputes a member decides, and the page
where one is read and decided.

Only staff and the hosts of an exchange's community who are not its parties see
these pages; everyone else gets 404. The decision is the process's own
transition (``resolve`` for a host, ``review`` for staff, read from the process),
taken through ``exchange_transition``; the outcome shown before it is computed
by the payments arithmetic the settlement itself uses.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from selfwork.communities.selectors import communities_hosted_by
from selfwork.core.errors import InvalidInput, SelfworkError
from selfwork.core.money import Money
from selfwork.exchanges import disputes, selectors, services
from selfwork.exchanges.engine import Transition
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.views import (
    _deliveries,
    _exchange_or_404,
    _rental_photos,
    _timeline,
)

PERCENT_CHOICES = (0, 25, 50, 75, 100)


@login_required
def disputes_console(request: HttpRequest) -> HttpResponse:
    """The queue of disputes waiting for this member's decision, oldest first."""
    member = request.user
    if not member.is_staff and not communities_hosted_by(member=member).exists():
        raise Http404(_("No such page."))
    now = timezone.now()
    rows = [
        {"row": row, "age": timesince(row.since, now, depth=1)}
        for row in disputes.disputes_for_operator(member=member)
    ]
    return render(request, "exchanges/disputes.html", {"rows": rows})


def _percent(raw: str | None) -> int:
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > 3 or int(text) > 100:
        raise InvalidInput(
            _("Choose a whole percentage from 0 to 100."),
            field="refund_percent",
            code="invalid_input",
        )
    return int(text)


def _award(raw: str | None, exchange: Exchange) -> Money | None:
    text = (raw or "").strip()
    if not text:
        return None
    return Money.parse(text, exchange.currency)


def _outcome(
    exchange: Exchange, decision: Transition, percent: int, award: Money | None
) -> dict[str, Any]:
    split = disputes.dispute_split(exchange=exchange, refund_percent=percent)
    return {
        "percent": percent,
        "split": split,
        "award": award,
        "settles_now": disputes.SETTLES in decision.actions,
    }


def _page(
    request: HttpRequest,
    exchange: Exchange,
    *,
    outcome: dict[str, Any] | None = None,
    error: str = "",
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    member = request.user
    now = timezone.now()
    decision = disputes.dispute_decision(exchange=exchange, member=member)
    process = selectors.exchange_process(exchange=exchange)
    rental = selectors.exchange_rental(exchange=exchange)
    escrow, deposit = disputes.dispute_stakes(exchange=exchange)
    template = (
        "exchanges/_dispute_outcome.html"
        if getattr(request, "htmx", False) and outcome is not None
        else "exchanges/dispute.html"
    )
    return render(
        request,
        template,
        {
            "exchange": exchange,
            "state": process.states.get(exchange.state),
            "decision": decision,
            "takes_percent": decision is not None
            and "refund_percent" in decision.params,
            "takes_award": decision is not None and "amount" in decision.params,
            "percent_choices": PERCENT_CHOICES,
            "escrow": escrow,
            "deposit": deposit,
            "outcome": outcome,
            "error": error,
            "posted": posted or {},
            "decided": disputes.dispute_outcome(exchange=exchange),
            "timeline": _timeline(exchange, process),
            "deliveries": _deliveries(exchange, member, now),
            "rental_photos": _rental_photos(exchange, rental, process, member, now),
            "messages_list": list(selectors.exchange_messages(exchange=exchange)),
        },
        status=status,
    )


def _operated_or_404(request: HttpRequest, public_id: Any) -> Exchange:
    exchange = _exchange_or_404(request, public_id)
    roles = selectors.exchange_roles(exchange=exchange, member=request.user)
    if "operator" not in roles:
        raise Http404(_("No such exchange."))
    return exchange


@login_required
def dispute_page(request: HttpRequest, public_id) -> HttpResponse:
    """A dispute's evidence and the resolver's form.

    GET with ``refund_percent`` (and ``amount``) shows the outcome before it is
    confirmed; POST takes the decision through the process.
    """
    exchange = _operated_or_404(request, public_id)
    decision = disputes.dispute_decision(exchange=exchange, member=request.user)
    if request.method == "POST":
        return _decide(request, exchange, decision)
    if (
        decision is None
        or "refund_percent" not in request.GET
        and ("amount" not in request.GET)
    ):
        return _page(request, exchange)
    posted = {k: str(v)[:200] for k, v in request.GET.items()}
    try:
        percent = (
            _percent(request.GET.get("refund_percent"))
            if "refund_percent" in decision.params
            else 0
        )
        award = (
            _award(request.GET.get("amount"), exchange)
            if "amount" in decision.params
            else None
        )
    except InvalidInput as exc:
        return _page(
            request, exchange, error=exc.detail, posted=posted, status=exc.status
        )
    return _page(
        request,
        exchange,
        outcome=_outcome(exchange, decision, percent, award),
        posted=posted,
    )


def _decide(
    request: HttpRequest, exchange: Exchange, decision: Transition | None
) -> HttpResponse:
    if decision is None:
        raise Http404(_("This exchange waits for no decision of yours."))
    posted = {
        str(k): str(v)[:2000]
        for k, v in request.POST.items()
        if k != "csrfmiddlewaretoken"
    }
    params: dict[str, Any] = {"note": posted.get("note", "").strip()}
    try:
        if "refund_percent" in decision.params:
            params["refund_percent"] = _percent(posted.get("refund_percent"))
        if "amount" in decision.params:
            award = _award(posted.get("amount"), exchange)
            if award is not None:
                params["amount"] = award.as_dict()
        if not params["note"]:
            raise InvalidInput(
                _("Say why you decided so: both parties read it."),
                field="note",
                code="required",
            )
        services.exchange_transition(
            exchange=exchange,
            actor=request.user,
            name=decision.name,
            params=params,
            now=timezone.now(),
        )
    except SelfworkError as exc:
        fresh = _operated_or_404(request, exchange.public_id)
        return _page(request, fresh, error=exc.detail, posted=posted, status=exc.status)
    messages.success(request, _("The dispute is decided; both parties were told."))
    return redirect("web:dispute", public_id=exchange.public_id)
