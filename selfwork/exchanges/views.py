"""Web pages for exchanges: my exchanges, the exchange room, ordering, process pages.

The room shows what the engine says: the state and its description, the line
items, the transitions *this* member may take now (as forms), the timeline,
deliveries and the conversation. Each POST runs one service and redirects, or
shows the room again with the error beside the form it came from.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from selfwork.accounts.forms import uploads_atomic
from selfwork.accounts.models import Member
from selfwork.catalog.calendar import DAY, AvailabilityRules
from selfwork.catalog.errors import NotBookable, PeriodInvalid
from selfwork.catalog.models import Listing, ListingMode
from selfwork.catalog.selectors import (
    availability_get,
    listing_get,
    listings_offered_for_swap,
)
from selfwork.catalog.views import calendar_month
from selfwork.communities.models import Mode
from selfwork.core.errors import InvalidInput, NotFound, PayloadTooLarge, SelfworkError
from selfwork.core.formats import money_format
from selfwork.core.money import Money
from selfwork.core.throttle import throttle_check, throttle_count
from selfwork.core.uploads import delivery_max_bytes, upload_create
from selfwork.exchanges import disputes, engine, reputation, selectors, services
from selfwork.exchanges.actions import notice_kind
from selfwork.exchanges.downloads import delivery_file_url, photo_url
from selfwork.exchanges.forms import (
    GiftRequestForm,
    ReviewForm,
    ReviewHideForm,
    ReviewReplyForm,
    SwapProposalForm,
)
from selfwork.exchanges.licences import licence_text
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.params import PARAMS, shown_params
from selfwork.notifications.models import Kind
from selfwork.payments.selectors import community_gateway, last_charged, last_released

SANDBOX_CARD = "4242 4242 4242 4242"
MAX_DELIVERY_FILES = 10
MAX_QUANTITY = 100


class HtmxHttpRequest(HttpRequest):
    htmx: Any


# --- Shared helpers -------------------------------------------------------------


def _exchange_or_404(request: HttpRequest, public_id: Any) -> Exchange:
    try:
        return selectors.exchange_get_for_party(
            public_id=public_id, member=request.user
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _duration_text(after: dt.timedelta | None) -> str:
    if after is None:
        return ""
    seconds = int(after.total_seconds())
    words: tuple[tuple[int, Callable[[int], str]], ...] = (
        (86400 * 7, lambda n: ngettext("%(count)d week", "%(count)d weeks", n)),
        (86400, lambda n: ngettext("%(count)d day", "%(count)d days", n)),
        (3600, lambda n: ngettext("%(count)d hour", "%(count)d hours", n)),
        (60, lambda n: ngettext("%(count)d minute", "%(count)d minutes", n)),
    )
    for size, word in words:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return word(count) % {"count": count}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {
        "count": seconds
    }


def _role_of(exchange: Exchange, member) -> str:
    roles = selectors.exchange_roles(exchange=exchange, member=member)
    return next(iter(roles), "")


# --- My exchanges -----------------------------------------------------------------


@login_required
def exchanges_mine(request: HttpRequest) -> HttpResponse:
    """The member's exchanges, newest first, split into open and finished."""
    member = cast(Member, request.user)
    rows = list(selectors.exchanges_list_for_member(member=member)[:200])
    labels: dict[tuple[str, str, str], str] = {}
    items = []
    for exchange in rows:
        key = (exchange.process_name, exchange.process_version, exchange.state)
        if key not in labels:
            try:
                process = selectors.exchange_process(exchange=exchange)
                labels[key] = process.states[exchange.state].label
            except (NotFound, KeyError):
                labels[key] = exchange.state.replace("_", " ").capitalize()
        items.append(
            {
                "exchange": exchange,
                "state_label": labels[key],
                "total": Money(exchange.total_minor, exchange.currency),
                "as_customer": exchange.customer_id == member.pk,
            }
        )
    return render(
        request,
        "exchanges/list.html",
        {
            "open": [
                i for i, x in zip(items, rows, strict=True) if x.closed_at is None
            ],
            "finished": [
                i for i, x in zip(items, rows, strict=True) if x.closed_at is not None
            ],
        },
    )


# --- The room ---------------------------------------------------------------------


def _confirmation(exchange: Exchange, member, option, pay_amount: Money | None) -> str:
    """The question the room asks before a step that moves money for good."""
    if option.pays and pay_amount is not None:
        return _(
            "Pay %(amount)s for “%(title)s”? The money is held until you accept "
            "the work."
        ) % {"amount": money_format(pay_amount), "title": exchange.title}
    if option.releases and member.pk != exchange.provider_id:
        return _(
            "%(step)s: %(provider)s is paid at once, and this cannot be undone. "
            "Continue?"
        ) % {"step": option.label, "provider": exchange.provider.name}
    return ""


def _transition_forms(
    exchange: Exchange,
    member,
    errors: dict[str, str],
    posted: dict[str, str],
    pay_amount: Money | None = None,
) -> list[dict[str, Any]]:
    options = selectors.transitions_available(exchange=exchange, member=member)
    sandbox = any("card" in o.params for o in options) and (
        community_gateway(community=exchange.community) == "sandbox"
    )
    forms_ = []
    for option in options:
        fields = []
        for param in option.params:
            value = posted.get(param, "") if posted.get("name") == option.name else ""
            if param == "card" and not value and sandbox:
                value = SANDBOX_CARD
            spec = PARAMS[param]
            fields.append(
                {
                    "name": param,
                    "label": _(spec.label),
                    "help": _(spec.help) if spec.help else "",
                    "widget": spec.widget,
                    "required": param in option.required,
                    "value": value,
                    "id": f"{option.name}-{param}",
                }
            )
        forms_.append(
            {
                "option": option,
                "fields": fields,
                "error": errors.get(option.name, ""),
                "danger": option.style == "danger",
                "quiet": option.style == "quiet",
                "multipart": any(
                    PARAMS[p].widget in ("files", "photos") for p in option.params
                ),
                "sandbox": sandbox and "card" in option.params,
                "confirm": _confirmation(exchange, member, option, pay_amount),
            }
        )
    return forms_


# Events the engine records that are not a process's transitions.
EVENT_LABELS = {"start": pgettext_lazy("exchange event", "Start")}


def _timeline(exchange: Exchange, process: engine.Process) -> list[dict[str, Any]]:
    rows = []
    for event in selectors.exchange_events(exchange=exchange):
        transition = process.transitions.get(event.name)
        target = process.states.get(event.to_state)
        rows.append(
            {
                "event": event,
                "label": transition.label
                if transition
                else str(
                    EVENT_LABELS.get(
                        event.name, event.name.replace("_", " ").capitalize()
                    )
                ),
                "to_label": target.label if target else event.to_state,
                "params": [
                    (label, event.params[key])
                    for key, label in shown_params().items()
                    if (event.params or {}).get(key) not in (None, "", [])
                ],
            }
        )
    return rows


def _deliveries(exchange: Exchange, member, now: dt.datetime) -> list[dict[str, Any]]:
    visible = selectors.deliverables_visible(exchange=exchange, member=member)
    rows = []
    for delivery in selectors.exchange_deliveries(exchange=exchange):
        files = list(delivery.files.all())
        rows.append(
            {
                "delivery": delivery,
                "count": len(files),
                "files": [
                    {
                        "upload": f,
                        "url": delivery_file_url(upload=f, member=member, now=now),
                    }
                    for f in files
                ]
                if visible
                else [],
            }
        )
    return rows


def _waiting_on(
    exchange: Exchange, process: engine.Process, role: str
) -> list[dict[str, Any]]:
    """What the other side (or the clock) may do next, for a plain sentence."""
    out = []
    for t in process.transitions_from(exchange.state):
        if t.is_timer:
            out.append(
                {"who": "clock", "label": t.label, "after": _duration_text(t.after)}
            )
        elif role not in t.actors:
            for actor in t.actors:
                out.append({"who": actor, "label": t.label, "after": ""})
    return out


def _room(
    request: HttpRequest,
    exchange: Exchange,
    *,
    errors: dict[str, str] | None = None,
    posted: dict[str, str] | None = None,
    message_error: str = "",
    review_form: ReviewForm | None = None,
    review_error: str = "",
    status: int = 200,
) -> HttpResponse:
    member = request.user
    now = timezone.now()
    process = selectors.exchange_process(exchange=exchange)
    role = _role_of(exchange, member)
    state = process.states.get(exchange.state)
    bill = selectors.exchange_bill(exchange=exchange)
    milestones = selectors.exchange_milestones(exchange=exchange)
    rental = selectors.exchange_rental(exchange=exchange)
    by_hand = community_gateway(community=exchange.community) == "manual"
    forms_ = _transition_forms(
        exchange, member, errors or {}, posted or {}, pay_amount=bill.due
    )
    counterpart = (
        exchange.provider
        if role == "customer"
        else exchange.customer
        if role == "provider"
        else None
    )
    return render(
        request,
        "exchanges/room.html",
        {
            "exchange": exchange,
            "process": process,
            "state": state,
            "role": role,
            "counterpart": counterpart,
            "bill": bill,
            "line_items": bill.items,
            "total": bill.total,
            "pay_amount": bill.due,
            "milestones": milestones,
            "transitions": forms_,
            "pay_offered": any(f["option"].pays for f in forms_),
            "waiting_on": _waiting_on(exchange, process, role),
            "timeline": _timeline(exchange, process),
            "deliveries": _deliveries(exchange, member, now),
            "deliverables_visible": selectors.deliverables_visible(
                exchange=exchange, member=member
            ),
            "messages_list": list(selectors.exchange_messages(exchange=exchange)),
            "message_error": message_error,
            "queue_position": selectors.queue_position(exchange=exchange),
            "licence": selectors.licence_for(exchange=exchange),
            "rental": rental,
            "by_hand": by_hand,
            "awaits_host": by_hand and selectors.payment_awaits_host(exchange=exchange),
            "rental_photos": _rental_photos(exchange, rental, process, member, now),
            "decided": disputes.dispute_outcome(exchange=exchange),
            **_reviews_panel(exchange, member, role, now, review_form),
            "review_error": review_error,
        },
        status=status,
    )


def _reviews_panel(
    exchange: Exchange, member, role: str | None, now: dt.datetime, form
) -> dict[str, Any]:
    """What the room shows of reviews: those the member may read, and the forms
    they may use (write, reply once, hide as an overseer)."""
    shown = []
    for review in reputation.reviews_of_exchange(exchange=exchange, member=member):
        published = review.published_at is not None
        shown.append(
            {
                "review": review,
                "can_reply": published
                and review.subject_id == member.pk
                and not review.reply
                and not review.hidden_at,
                "can_hide": published
                and not review.hidden_at
                and role not in ("customer", "provider")
                and services.review_can_hide(review=review, member=member),
                "show_reason": True,
            }
        )
    review_open = reputation.review_open_for(exchange=exchange, member=member, at=now)
    if review_open and form is None:
        form = ReviewForm(customer=role == "customer")
    return {
        "reviews": shown,
        "review_open": review_open,
        "review_form": form if review_open else None,
        "reply_form": ReviewReplyForm(),
        "hide_form": ReviewHideForm(),
    }


def _rental_photos(
    exchange: Exchange,
    rental: selectors.RentalPanel | None,
    process: engine.Process,
    member,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    if rental is None:
        return []
    rows = []
    for photo_set in rental.photos:
        transition = process.transitions.get(photo_set.event.name)
        rows.append(
            {
                "event": photo_set.event,
                "label": transition.label if transition else photo_set.event.name,
                "photos": [
                    {
                        "upload": upload,
                        "url": photo_url(
                            upload=upload, exchange=exchange, member=member, now=now
                        ),
                    }
                    for upload in photo_set.uploads
                ],
            }
        )
    return rows


@login_required
def exchange_room(request: HtmxHttpRequest, public_id) -> HttpResponse:
    """The exchange room; POSTs take a transition or post a message."""
    exchange = _exchange_or_404(request, public_id)
    if request.method != "POST":
        return _room(request, exchange)
    action = request.POST.get("action", "")
    if action == "message":
        return _message_post(request, exchange)
    if action == "transition":
        return _transition(request, exchange)
    if action == "review":
        return _review_post(request, exchange)
    if action in ("review_reply", "review_hide"):
        return _review_answer(request, exchange, action)
    messages.error(request, _("That form is not one of this page's."))
    return redirect("web:exchange", public_id=exchange.public_id)


def _room_anchor(exchange: Exchange, anchor: str) -> HttpResponse:
    return redirect(reverse("web:exchange", args=[exchange.public_id]) + anchor)


def _review_post(request: HttpRequest, exchange: Exchange) -> HttpResponse:
    role = _role_of(exchange, request.user)
    form = ReviewForm(request.POST, customer=role == "customer")
    if not form.is_valid():
        return _room(request, exchange, review_form=form, status=422)
    data = form.cleaned_data
    try:
        review = services.review_submit(
            exchange=exchange,
            author=request.user,
            review=services.ReviewIn(
                rating=data["rating"],
                text=data["text"],
                communication=data.get("communication"),
                quality=data.get("quality"),
                on_time=data.get("on_time"),
            ),
            now=timezone.now(),
        )
    except SelfworkError as exc:
        if exc.status == 404:
            raise Http404(exc.detail) from exc
        return _room(
            request,
            exchange,
            review_form=form,
            review_error=exc.detail,
            status=exc.status,
        )
    if review.published_at is not None:
        messages.success(
            request, _("Thank you. Both reviews are now published on your profiles.")
        )
    else:
        messages.success(
            request,
            _(
                "Thank you. Your review is published when the other party has "
                "reviewed you too, or when the time to review ends."
            ),
        )
    return _room_anchor(exchange, "#reviews")


def _review_answer(
    request: HttpRequest, exchange: Exchange, action: str
) -> HttpResponse:
    """A reply to a review of the member, or an overseer hiding one."""
    member = request.user
    try:
        review = reputation.review_get(
            public_id=request.POST.get("review", "")[:64], member=member
        )
        if review.exchange_id != exchange.pk:
            raise NotFound(gettext("No such review."), code="review_not_found")
        if action == "review_reply":
            form: forms.Form = ReviewReplyForm(request.POST)
            if not form.is_valid():
                raise InvalidInput(_("Write your reply first."), field="text")
            services.review_reply(
                review=review,
                member=member,
                text=form.cleaned_data["text"],
                now=timezone.now(),
            )
            messages.success(request, _("Your reply is published under the review."))
        else:
            form = ReviewHideForm(request.POST)
            if not form.is_valid():
                raise InvalidInput(
                    _("Say which rule the review breaks."), field="reason"
                )
            services.review_hide(
                review=review,
                actor=member,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
            messages.success(
                request, _("The review is hidden, and the reason you gave is kept.")
            )
    except SelfworkError as exc:
        if exc.status == 404:
            raise Http404(exc.detail) from exc
        return _room(request, exchange, review_error=exc.detail, status=exc.status)
    return _room_anchor(exchange, "#reviews")


# Upload fields by widget, and the kind of upload each makes.
_UPLOAD_WIDGETS = {"files": "file", "photos": "image"}


def _transition_params(
    request: HttpRequest, option_params: list[str], currency: str
) -> dict[str, Any]:
    """A form's values as the API would send them, read by each param's widget."""
    params: dict[str, Any] = {}
    for param in option_params:
        widget = PARAMS[param].widget
        if widget in _UPLOAD_WIDGETS:
            continue
        raw = request.POST.get(param, "")
        if raw == "":
            continue
        if widget == "percent":
            raw = raw.strip()
            params[param] = int(raw) if raw.isdigit() and len(raw) <= 3 else raw
        elif widget == "money":
            params[param] = {"amount": raw.strip(), "currency": currency}
        else:
            params[param] = raw
    return params


def _transition(request: HttpRequest, exchange: Exchange) -> HttpResponse:
    member = request.user
    name = request.POST.get("name", "")[:40]
    options = {
        o.name: o
        for o in selectors.transitions_available(exchange=exchange, member=member)
    }
    posted = {
        str(k): str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"
    }
    option = options.get(name)
    taken = option.params if option else []
    params = _transition_params(request, taken, exchange.currency)
    sent = {
        param: request.FILES.getlist(param)
        for param in taken
        if PARAMS[param].widget in _UPLOAD_WIDGETS and request.FILES.getlist(param)
    }
    try:
        if any(len(files) > MAX_DELIVERY_FILES for files in sent.values()):
            raise _TooManyFiles()
        with uploads_atomic() as created:
            now = timezone.now()
            for param, files in sent.items():
                ids = []
                for file in files:
                    throttle_count(
                        scope="uploads", member_id=member.pk, address=None, now=now
                    )
                    try:
                        upload = upload_create(
                            owner=member,
                            data=_delivery_bytes(file),
                            now=now,
                            kind=_UPLOAD_WIDGETS[PARAMS[param].widget],
                        )
                    except SelfworkError as exc:
                        exc.detail = f"“{str(file.name)[:60]}”: {exc.detail}"
                        raise
                    created.append(upload)
                    ids.append(str(upload.public_id))
                params[param] = ids
            services.exchange_transition(
                exchange=exchange, actor=member, name=name, params=params, now=now
            )
    except _TooManyFiles:
        return _room(
            request,
            exchange,
            errors={
                name: _("Deliver at most %(count)d files at once.")
                % {"count": MAX_DELIVERY_FILES}
            },
            posted=posted,
            status=422,
        )
    except SelfworkError as exc:
        if exc.status in (403, 404):
            # Not a form this page showed this member: a forged or stale POST.
            raise PermissionDenied(exc.detail) from exc
        fresh = _exchange_or_404(request, exchange.public_id)
        return _room(
            request,
            fresh,
            errors={name: exc.detail},
            posted=posted,
            status=exc.status,
        )
    messages.success(request, _done_sentence(exchange, name))
    return redirect("web:exchange", public_id=exchange.public_id)


# What the member is told after a step, by the kind of step it was (read from
# what the transition does, as its notice is), in words rather than its label.
DONE_SENTENCES = {
    Kind.PAID: gettext_lazy(
        "You paid %(paid)s for “%(title)s”. The money is held until you accept "
        "the work."
    ),
    Kind.ACCEPTED: gettext_lazy(
        "You accepted “%(title)s”; %(released)s is on its way to %(provider)s."
    ),
    Kind.PAID_OUT: gettext_lazy(
        "You accepted “%(title)s”; %(released)s is on its way to %(provider)s."
    ),
    Kind.DELIVERED: gettext_lazy(
        "You delivered “%(title)s”; %(customer)s has been told."
    ),
    Kind.CHANGES_REQUESTED: gettext_lazy(
        "You asked %(provider)s for changes to “%(title)s”."
    ),
}


def _done_sentence(exchange: Exchange, name: str) -> str:
    fresh = Exchange.objects.select_related("customer", "provider").get(pk=exchange.pk)
    process = selectors.exchange_process(exchange=fresh)
    transition = process.transitions.get(name)
    template = DONE_SENTENCES.get(Kind(notice_kind(transition)))
    if template is None:
        label = transition.label if transition else name
        return _("You chose “%(step)s” on “%(title)s”; it is now: %(state)s.") % {
            "step": label,
            "title": fresh.title,
            "state": process.states[fresh.state].label,
        }
    reference = str(fresh.public_id)
    paid = last_charged(reference_prefix=reference)
    released = last_released(reference_prefix=reference)
    return str(template) % {
        "title": fresh.title,
        "provider": fresh.provider.name,
        "customer": fresh.customer.name,
        "paid": money_format(paid) if paid else _("the price"),
        "released": money_format(released) if released else _("the money"),
    }


class _TooManyFiles(Exception):
    pass


def _delivery_bytes(file) -> bytes:
    """Read an uploaded deliverable, refusing it before reading when over the cap."""
    limit = delivery_max_bytes()
    if file.size and file.size > limit:
        raise PayloadTooLarge(
            _("The file is %(size)s bytes; the limit is %(limit)s.")
            % {"size": f"{file.size:,}", "limit": f"{limit:,}"},
            code="file_too_large",
        )
    return file.read(limit + 1)


# --- Messages ---------------------------------------------------------------------


class MessageForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Message"), max_length=5000)


def _message_post(request: HtmxHttpRequest, exchange: Exchange) -> HttpResponse:
    form = MessageForm(request.POST)
    error = ""
    status = 422
    if form.is_valid():
        try:
            throttle_check(request=request, scope="messages", now=timezone.now())
            services.message_post(
                exchange=exchange,
                author=request.user,
                body=form.cleaned_data["body"],
                now=timezone.now(),
            )
        except SelfworkError as exc:
            if exc.status in (403, 404):
                raise PermissionDenied(exc.detail) from exc
            error = exc.detail
            status = exc.status
    else:
        error = str(form.errors.get("body", [_("Write a message first.")])[0])
    if request.htmx:
        return _messages_partial(
            request, exchange, error=error, status=200 if not error else status
        )
    if error:
        return _room(request, exchange, message_error=error, status=status)
    return redirect(reverse("web:exchange", args=[exchange.public_id]) + "#messages")


def _messages_partial(
    request: HttpRequest, exchange: Exchange, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "exchanges/_messages.html",
        {
            "exchange": exchange,
            "messages_list": list(selectors.exchange_messages(exchange=exchange)),
            "message_error": error,
        },
        status=status,
    )


@login_required
@require_GET
def exchange_messages(request: HttpRequest, public_id) -> HttpResponse:
    """The conversation alone, for htmx to refresh."""
    exchange = _exchange_or_404(request, public_id)
    return _messages_partial(request, exchange)


# --- Licence ------------------------------------------------------------------------


@login_required
@require_GET
def exchange_licence(request: HttpRequest, public_id) -> HttpResponse:
    """The licence a completed commission granted, as a text file."""
    exchange = _exchange_or_404(request, public_id)
    if selectors.licence_for(exchange=exchange) is None:
        raise Http404("This exchange has no licence (yet).")
    response = HttpResponse(
        licence_text(exchange=exchange), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="licence-{exchange.public_id}.txt"'
    )
    return response


# --- Ordering from a listing ---------------------------------------------------------


ORDER_MODES = ("service", "made_to_order")


def _order_modes(listing: Listing) -> list[ListingMode]:
    return [m for m in listing.modes.all() if m.mode in ORDER_MODES]


@login_required
def listing_order(request: HttpRequest, public_id) -> HttpResponse:
    """Order a service package or a made-to-order product; the room opens next."""
    try:
        listing = listing_get(public_id=public_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    modes = _order_modes(listing)
    if not modes:
        raise Http404("This listing cannot be ordered.")
    is_owner = listing.owner_id == request.user.pk
    chosen = request.POST.get("mode") or request.GET.get("mode") or modes[0].mode
    mode = next((m for m in modes if m.mode == chosen), modes[0])
    error, field = "", ""
    status = 200
    if request.method == "POST" and not is_owner:
        try:
            quantity = _quantity(request.POST.get("quantity", "1"))
            options = {
                o["name"]: request.POST.get(f"option-{i}", "")
                for i, o in enumerate(mode.options)
                if request.POST.get(f"option-{i}", "")
            }
            personalisation = {
                p["prompt"]: request.POST.get(f"personal-{i}", "").strip()
                for i, p in enumerate(mode.personalisation)
                if request.POST.get(f"personal-{i}", "").strip()
            }
            exchange = services.exchange_order(
                listing=listing,
                customer=request.user,
                mode=mode.mode,
                package=request.POST.get("package") or None,
                quantity=quantity,
                options=options,
                personalisation=personalisation,
                requirements=request.POST.get("requirements", "").strip(),
                now=timezone.now(),
            )
        except SelfworkError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.detail) from exc
            error, field = exc.detail, str(getattr(exc, "field", "") or "")
            status = exc.status
        else:
            messages.success(
                request,
                _(
                    "Your order is placed. Pay into escrow to start it: the provider "
                    "is paid only when you accept the result."
                ),
            )
            return redirect("web:exchange", public_id=exchange.public_id)
    return render(
        request,
        "exchanges/order.html",
        {
            "listing": listing,
            "modes": modes,
            "mode": mode,
            "packages": list(mode.packages.all()),
            "is_owner": is_owner,
            "error": error,
            "error_field": field,
            "posted": request.POST,
        },
        status=status,
    )


def _quantity(raw: str) -> int:
    raw = (raw or "1").strip()
    if not raw.isdigit() or not 1 <= int(raw[:6]) <= MAX_QUANTITY:
        raise InvalidInput(
            _("Quantity is a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY},
            field="quantity",
        )
    return int(raw)


# --- Booking a rental from its listing ------------------------------------------------


def _rental_period(data: Any, rules: AvailabilityRules) -> tuple[Any, Any]:
    """The period a booking form asks for, as ``exchange_order`` takes it.

    A daily listing's form asks for the first and the last day (a person says
    "the 10th and the 11th", not "until the 12th"); the period ends the midnight
    after the last. An hourly listing's form asks for local times in the
    listing's time zone.
    """
    raw_start = str(data.get("start", "")).strip()[:20]
    raw_end = str(data.get("end", "")).strip()[:20]
    if not raw_start or not raw_end:
        raise PeriodInvalid(
            _("Choose when the rental starts and ends."),
            field="start" if not raw_start else "end",
        )
    try:
        if rules.unit == DAY:
            last = dt.date.fromisoformat(raw_end)
            return dt.date.fromisoformat(raw_start), last + dt.timedelta(days=1)
        zone = rules.zone
        return (
            dt.datetime.fromisoformat(raw_start).replace(tzinfo=zone),
            dt.datetime.fromisoformat(raw_end).replace(tzinfo=zone),
        )
    except (ValueError, OverflowError) as exc:
        raise PeriodInvalid(_("Those are not dates."), field="start") from exc


def _rental_or_404(request: HttpRequest, public_id: Any) -> Listing:
    try:
        listing = listing_get(public_id=public_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if not any(m.mode == Mode.RENTAL for m in listing.modes.all()):
        raise Http404("This listing is not for rent.")
    return listing


@login_required
def listing_rent(request: HtmxHttpRequest, public_id) -> HttpResponse:
    """Book a rental: GET prices the dates asked for (htmx: the price alone),
    POST books them and opens the room, where the rent is paid."""
    listing = _rental_or_404(request, public_id)
    try:
        rules = availability_get(listing=listing)
    except NotBookable as exc:
        raise Http404(exc.detail) from exc
    is_owner = listing.owner_id == request.user.pk
    data = request.POST if request.method == "POST" else request.GET
    asked = request.method == "POST" or bool(data.get("start") or data.get("end"))
    quote, period, error, status = None, None, "", 200
    if asked and not is_owner:
        now = timezone.now()
        try:
            start, end = _rental_period(data, rules)
            if request.method == "POST":
                exchange = services.exchange_order(
                    listing=listing,
                    customer=request.user,
                    mode=Mode.RENTAL,
                    start=start,
                    end=end,
                    now=now,
                )
                messages.success(
                    request,
                    _(
                        "The dates are held for you. Pay the rent to book them: "
                        "the deposit is only held on your card."
                    ),
                )
                return redirect("web:exchange", public_id=exchange.public_id)
            quote = services.exchange_quote(
                listing=listing,
                customer=request.user,
                mode=Mode.RENTAL,
                start=start,
                end=end,
                now=now,
            )
        except SelfworkError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.detail) from exc
            error, status = exc.detail, exc.status
    if quote is not None and quote.terms.booking_start and quote.terms.booking_end:
        period = selectors.booked_period(
            listing=listing,
            start=quote.terms.booking_start,
            end=quote.terms.booking_end,
        )
    context = {
        "listing": listing,
        "rules": rules,
        "is_owner": is_owner,
        "quote": quote,
        "period": period,
        "policy": selectors.cancellation_policy_text(
            quote.terms.cancellation_policy if quote else rules.cancellation_policy
        ),
        "error": error,
        "posted": {k: str(data.get(k, ""))[:20] for k in ("start", "end")},
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the error travels in the partial.
        response = render(request, "exchanges/_rental_quote.html", context)
    else:
        context["calendar"] = calendar_month(request, listing, now=timezone.now())
        response = render(request, "exchanges/rent.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Asking for a gift, proposing a swap -----------------------------------------------


def _listing_in_mode_or_404(request: HttpRequest, public_id: Any, mode: str) -> Listing:
    try:
        listing = listing_get(public_id=public_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if not any(m.mode == mode for m in listing.modes.all()):
        raise Http404("This listing is not offered that way.")
    return listing


def _start_error(form: forms.Form, exc: SelfworkError) -> int:
    """Put a refusal beside the field it names (or above the form); its status."""
    if exc.status == 403:
        raise PermissionDenied(exc.detail) from exc
    field = str(getattr(exc, "field", "") or "")
    form.add_error(field if field in form.fields else None, exc.detail)
    return exc.status


@login_required
def listing_ask(request: HttpRequest, public_id) -> HttpResponse:
    """Ask for a gift with a message; the room of the request opens next."""
    listing = _listing_in_mode_or_404(request, public_id, Mode.GIFT)
    is_owner = listing.owner_id == request.user.pk
    form = GiftRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and not is_owner and form.is_valid():
        try:
            exchange = services.exchange_order(
                listing=listing,
                customer=request.user,
                mode=Mode.GIFT,
                message=form.cleaned_data["message"],
                now=timezone.now(),
            )
        except SelfworkError as exc:
            status = _start_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "You asked for it. The giver chooses among the requests; you "
                    "will hear from them here."
                ),
            )
            return redirect("web:exchange", public_id=exchange.public_id)
    elif request.method == "POST" and not is_owner:
        status = 422
    return render(
        request,
        "exchanges/ask.html",
        {"listing": listing, "form": form, "is_owner": is_owner},
        status=status,
    )


@login_required
def listing_swap(request: HttpRequest, public_id) -> HttpResponse:
    """Propose one of my swap listings in return; the room of the proposal opens next."""
    listing = _listing_in_mode_or_404(request, public_id, Mode.SWAP)
    is_owner = listing.owner_id == request.user.pk
    offers = list(
        listings_offered_for_swap(owner=request.user, community=listing.community)
    )
    form = SwapProposalForm(request.POST or None, offers=offers)
    status = 200
    if request.method == "POST" and not is_owner and form.is_valid():
        try:
            exchange = services.exchange_order(
                listing=listing,
                customer=request.user,
                mode=Mode.SWAP,
                offered_listing=form.cleaned_data["offered_listing"],
                message=form.cleaned_data["message"],
                now=timezone.now(),
            )
        except SelfworkError as exc:
            status = _start_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your swap is proposed. The owner accepts or declines it; you "
                    "will hear from them here."
                ),
            )
            return redirect("web:exchange", public_id=exchange.public_id)
    elif request.method == "POST" and not is_owner:
        status = 422
    return render(
        request,
        "exchanges/swap.html",
        {"listing": listing, "form": form, "offers": offers, "is_owner": is_owner},
        status=status,
    )


# --- Process pages --------------------------------------------------------------------


def processes_index(request: HttpRequest) -> HttpResponse:
    """Every process an exchange can run, with its states."""
    return render(
        request, "exchanges/processes.html", {"processes": engine.processes_list()}
    )


def process_detail(request: HttpRequest, name: str) -> HttpResponse:
    """One process: states, transitions, its graph (SVG) and Mermaid text."""
    try:
        process = engine.process_load(name)
    except SelfworkError as exc:
        raise Http404(exc.detail) from exc
    transitions = [
        {
            "t": t,
            "sources": [
                process.states[s].label for s in t.sources if s in process.states
            ],
            "target": process.states[t.target].label
            if t.target in process.states
            else t.target,
            "after": _duration_text(t.after),
        }
        for t in process.transitions.values()
    ]
    return render(
        request,
        "exchanges/process.html",
        {
            "process": process,
            "states": list(process.states.values()),
            "transitions": transitions,
            # Our own generated SVG; engine.process_graph_svg escapes every text in it.
            "svg": mark_safe(engine.process_graph_svg(process)),  # noqa: S308
            "mermaid": engine.process_graph_mermaid(process),
        },
    )


# --- Time bank and loans from a listing ----------------------------------------------


@login_required
def listing_timebank(request: HttpRequest, public_id) -> HttpResponse:
    """Ask for a member's time in hours, or offer help on a request; then the room."""
    listing = _listing_in_mode_or_404(request, public_id, Mode.TIMEBANK)
    mode = next(m for m in listing.modes.all() if m.mode == Mode.TIMEBANK)
    is_owner = listing.owner_id == request.user.pk
    is_request = listing.kind == Listing.Kind.REQUEST
    listed = Money(mode.price_minor, mode.unit) if mode.price_minor else None
    error, status = "", 200
    if request.method == "POST" and not is_owner:
        raw = request.POST.get("hours", "").strip()[:20]
        try:
            exchange = services.exchange_order(
                listing=listing,
                customer=request.user,
                mode=Mode.TIMEBANK,
                hours={"amount": raw, "currency": "HOUR"} if raw else None,
                requirements=request.POST.get("requirements", "").strip(),
                now=timezone.now(),
            )
        except SelfworkError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.detail) from exc
            error, status = exc.detail, exc.status
        else:
            messages.success(
                request,
                _(
                    "Your offer of help is sent. The hours move to you once the work is confirmed."
                )
                if is_request
                else _(
                    "Your request is sent. The hours move only when you confirm the work was done."
                ),
            )
            return redirect("web:exchange", public_id=exchange.public_id)
    return render(
        request,
        "exchanges/timebank.html",
        {
            "listing": listing,
            "listed": listed,
            "is_owner": is_owner,
            "is_request": is_request,
            "error": error,
            "posted": request.POST,
        },
        status=status,
    )


@login_required
def listing_borrow(request: HttpRequest, public_id) -> HttpResponse:
    """Ask to borrow a thing for some days; the room opens next."""
    listing = _listing_in_mode_or_404(request, public_id, Mode.LEND)
    mode = next(m for m in listing.modes.all() if m.mode == Mode.LEND)
    try:
        rules = availability_get(listing=listing)
    except NotBookable as exc:
        raise Http404(exc.detail) from exc
    is_owner = listing.owner_id == request.user.pk
    listed = Money(mode.price_minor, mode.unit) if mode.price_minor else None
    error, status = "", 200
    if request.method == "POST" and not is_owner:
        try:
            start, end = _rental_period(request.POST, rules)
            exchange = services.exchange_order(
                listing=listing,
                customer=request.user,
                mode=Mode.LEND,
                start=start,
                end=end,
                requirements=request.POST.get("requirements", "").strip(),
                now=timezone.now(),
            )
        except SelfworkError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.detail) from exc
            error, status = exc.detail, exc.status
        else:
            messages.success(
                request,
                _(
                    "The days are held for you. The owner approves or declines within two days."
                ),
            )
            return redirect("web:exchange", public_id=exchange.public_id)
    return render(
        request,
        "exchanges/borrow.html",
        {
            "listing": listing,
            "listed": listed,
            "rules": rules,
            "is_owner": is_owner,
            "error": error,
            "posted": {k: str(request.POST.get(k, ""))[:20] for k in ("start", "end")},
            "calendar": calendar_month(request, listing, now=timezone.now()),
        },
        status=status,
    )
