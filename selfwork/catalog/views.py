"""Web pages for listings: the listing page, the editor, hide / show / delete.

New images are stored by ``upload_create`` inside the same transaction as the
listing service call, so a refused listing leaves no upload behind.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dates, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from selfwork.accounts.forms import safe_next, uploads_atomic, uploads_store
from selfwork.accounts.models import Member
from selfwork.catalog.calendar import WEEKDAYS, listing_unit
from selfwork.catalog.errors import NotBookable
from selfwork.catalog.forms import (
    AvailabilityForm,
    BlockedPeriodForm,
    ListingForm,
    listing_initial,
)
from selfwork.catalog.models import Listing
from selfwork.catalog.selectors import (
    availability_get,
    blocked_periods_of,
    calendar_view,
    listing_get,
    listing_get_for_moderation,
    listing_get_for_owner,
)
from selfwork.catalog.services import (
    availability_set,
    blocked_period_add,
    blocked_period_remove,
    listing_create,
    listing_delete,
    listing_hide,
    listing_show,
    listing_update,
)
from selfwork.communities.models import Community, ListingField
from selfwork.communities.selectors import (
    categories_of,
    listing_fields_of,
    membership_get,
    memberships_of,
)
from selfwork.core.errors import NotFound, SelfworkError


def _custom_values(listing: Listing, fields: list[ListingField]) -> list[tuple]:
    values = []
    for f in fields:
        if f.key not in listing.custom:
            continue
        value = listing.custom[f.key]
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        values.append((f.label, value))
    return values


def listing_detail(request: HttpRequest, public_id) -> HttpResponse:
    try:
        listing = listing_get(public_id=public_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    viewer = request.user
    is_owner = viewer.is_authenticated and viewer.pk == listing.owner_id
    can_moderate = False
    if viewer.is_authenticated and not is_owner:
        membership = membership_get(community=listing.community, member=viewer)
        can_moderate = membership is not None and membership.can_moderate
    # Most listings fill in none of their community's own fields: no query then.
    fields = (
        list(listing_fields_of(community=listing.community)) if listing.custom else []
    )
    return render(
        request,
        "catalog/listing.html",
        {
            "calendar": calendar_month(request, listing, now=timezone.now()),
            "listing": listing,
            "images": list(listing.images.all()),
            "modes": list(listing.modes.all()),
            "custom_values": _custom_values(listing, fields),
            "is_owner": is_owner,
            "can_moderate": can_moderate,
        },
    )


def _editor_context(form: ListingForm, community: Community, **extra) -> dict:
    return {"form": form, "community": community, **extra}


@login_required
def listing_new(request: HttpRequest) -> HttpResponse:
    """Publish a listing in one of your communities (``?community=<slug>``)."""
    member = cast(Member, request.user)
    choices = [
        m.community
        for m in memberships_of(member=member)
        if m.is_active and m.community.enabled_modes
    ]
    slug = request.POST.get("community") or request.GET.get("community")
    if not slug and len(choices) == 1:
        slug = choices[0].slug
    community = next((c for c in choices if c.slug == slug), None)
    if community is None:
        return render(
            request,
            "catalog/editor.html",
            {"choices": choices, "community": None, "asked": slug},
            status=404 if slug else 200,
        )
    fields = list(listing_fields_of(community=community))
    categories = list(categories_of(community=community))
    initial = {
        "city": member.city,
        "country": member.country,
        **{
            k: request.GET[k][:200]
            for k in ("title", "description", "tags")
            if request.GET.get(k)
        },
    }
    form = ListingForm(
        request.POST or None,
        request.FILES or None,
        community=community,
        categories=categories,
        fields=fields,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                with uploads_atomic() as created:
                    now = timezone.now()
                    uploads_store(
                        form.cleaned_data["images"],
                        owner=member,
                        now=now,
                        created=created,
                    )
                    listing = listing_create(
                        owner=member,
                        community=community,
                        modes=form.modes(),
                        images=[str(u.public_id) for u in created],
                        kind=form.kind(),
                        now=now,
                        **form.fields_for_service(),
                    )
            except SelfworkError as exc:
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, _("Your listing is live."))
                return redirect("web:listing", public_id=listing.public_id)
    return render(
        request,
        "catalog/editor.html",
        _editor_context(form, community, choices=choices),
        status=status,
    )


@login_required
def listing_edit(request: HttpRequest, public_id) -> HttpResponse:
    try:
        listing = listing_get_for_owner(public_id=public_id, owner=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    community = listing.community
    fields = list(listing_fields_of(community=community))
    form = ListingForm(
        request.POST or None,
        request.FILES or None,
        community=community,
        categories=list(categories_of(community=community)),
        fields=fields,
        listing=listing,
        initial=listing_initial(listing, fields),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                with uploads_atomic() as created:
                    now = timezone.now()
                    uploads_store(
                        form.cleaned_data["images"],
                        owner=request.user,
                        now=now,
                        created=created,
                    )
                    changes = {
                        **form.fields_for_service(),
                        "modes": form.modes(),
                        "images": form.kept_image_ids()
                        + [str(u.public_id) for u in created],
                    }
                    listing_update(
                        listing=listing, actor=request.user, changes=changes, now=now
                    )
            except SelfworkError as exc:
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("web:listing", public_id=listing.public_id)
    return render(
        request,
        "catalog/editor.html",
        _editor_context(
            form,
            community,
            listing=listing,
            has_calendar=listing_unit(listing) is not None,
        ),
        status=status,
    )


def _owned_or_404(request: HttpRequest, public_id) -> Listing:
    try:
        return listing_get_for_owner(public_id=public_id, owner=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


@login_required
@require_POST
def listing_hide_view(request: HttpRequest, public_id) -> HttpResponse:
    listing = _owned_or_404(request, public_id)
    listing_hide(listing=listing, actor=request.user, now=timezone.now())
    messages.success(
        request,
        _("“%(title)s” is hidden: only you can see it until you show it.")
        % {"title": listing.title},
    )
    return redirect(
        safe_next(request, reverse("web:listing", args=[listing.public_id]))
    )


@login_required
@require_POST
def listing_show_view(request: HttpRequest, public_id) -> HttpResponse:
    listing = _owned_or_404(request, public_id)
    listing_show(listing=listing, actor=request.user, now=timezone.now())
    messages.success(
        request, _("“%(title)s” is visible again.") % {"title": listing.title}
    )
    return redirect(
        safe_next(request, reverse("web:listing", args=[listing.public_id]))
    )


@login_required
@require_POST
def listing_delete_view(request: HttpRequest, public_id) -> HttpResponse:
    try:
        listing = listing_get_for_moderation(public_id=public_id, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    title, slug = listing.title, listing.community.slug
    listing_delete(listing=listing, actor=request.user, now=timezone.now())
    messages.success(request, _("“%(title)s” is deleted.") % {"title": title})
    default = (
        reverse("web:dashboard")
        if listing.owner_id == request.user.pk
        else reverse("web:community", kwargs={"slug": slug})
    )
    target = safe_next(request, default)
    # The listing's own page no longer exists.
    if str(public_id) in target:
        target = default
    return redirect(target)


# --- Calendars -----------------------------------------------------------------

MONTHS_AHEAD = 12

# What a screen reader says of a day of the calendar, by its status.
_DAY_LABELS = {
    "free": gettext_lazy("%(day)s: free"),
    "partly": gettext_lazy("%(day)s: partly taken"),
    "busy": gettext_lazy("%(day)s: taken"),
    "past": gettext_lazy("%(day)s: past"),
}


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    # "past", "free", "partly" (some hours taken or closed) or "busy".
    status: str
    # The day and its status in the viewer's language: "Monday 7 December: free".
    label: str


@dataclass(frozen=True)
class CalendarMonth:
    """One month of a listing's calendar, a week per row, for the booking calendar."""

    first: dt.date
    time_zone: str
    unit: str
    weeks: list[list[CalendarDay | None]]
    # Monday first: (name, abbreviation) in the viewer's language.
    weekdays: list[tuple[str, str]]
    previous: dt.date | None
    next: dt.date | None


def _month_asked(request: HttpRequest, today: dt.date) -> dt.date:
    this_month = today.replace(day=1)
    try:
        asked = dt.date.fromisoformat(f"{request.GET.get('month', '')[:7]}-01")
    except ValueError:
        return this_month
    last = _month_add(this_month, MONTHS_AHEAD)
    return min(max(asked, this_month), last)


def _month_add(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def calendar_month(
    request: HttpRequest, listing: Listing, *, now: dt.datetime
) -> CalendarMonth | None:
    """The month of ``listing``'s calendar asked for by ``?month=YYYY-MM`` (default:
    this month); None for a listing without a calendar."""
    try:
        rules = availability_get(listing=listing)
    except NotBookable:
        return None
    zone = rules.zone
    today = now.astimezone(zone).date()
    first = _month_asked(request, today)
    after = _month_add(first, 1)
    view = calendar_view(
        listing=listing,
        viewer=request.user,
        start=first,
        end=after,
        now=now,
        rules=rules,
    )
    # A month has up to 31 days to name: each name is translated once, and
    # written as the date filter writes "l j F".
    labels = {status: str(text) for status, text in _DAY_LABELS.items()}
    weekday_names = [str(name) for name in dates.WEEKDAYS.values()]
    month_name = str(dates.MONTHS[first.month])
    weeks: list[list[CalendarDay | None]] = [[None] * first.weekday()]
    day = first
    while day < after:
        begins = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        ends = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        taken = sum(
            (min(e, ends) - max(s, begins)).total_seconds()
            for s, e in view.busy
            if s < ends and begins < e
        )
        if day < today:
            status = "past"
        elif taken >= (ends - begins).total_seconds():
            status = "busy"
        else:
            status = "partly" if taken else "free"
        if len(weeks[-1]) == 7:
            weeks.append([])
        named = f"{weekday_names[day.weekday()]} {day.day} {month_name}"
        weeks[-1].append(CalendarDay(day, status, labels[status] % {"day": named}))
        day += dt.timedelta(days=1)
    weeks[-1] += [None] * (7 - len(weeks[-1]))
    this_month = today.replace(day=1)
    return CalendarMonth(
        first=first,
        time_zone=rules.time_zone,
        unit=rules.unit,
        weeks=weeks,
        weekdays=[(weekday_names[i], str(dates.WEEKDAYS_ABBR[i])) for i in range(7)],
        previous=_month_add(first, -1) if first > this_month else None,
        next=_month_add(first, 1)
        if first < _month_add(this_month, MONTHS_AHEAD)
        else None,
    )


def listing_calendar_partial(request: HttpRequest, public_id) -> HttpResponse:
    """The booking calendar alone, for htmx to move between months."""
    try:
        listing = listing_get(public_id=public_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    month = calendar_month(request, listing, now=timezone.now())
    if month is None:
        raise Http404("This listing has no calendar.")
    return render(
        request,
        "catalog/_booking_calendar.html",
        {"listing": listing, "calendar": month},
    )


def _availability_page(
    request: HttpRequest,
    listing: Listing,
    *,
    form: AvailabilityForm | None = None,
    blocked_form: BlockedPeriodForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rules = availability_get(listing=listing)
    if form is None:
        initial: dict[str, Any] = {
            "time_zone": rules.time_zone,
            "min_units": rules.min_units,
            "max_units": rules.max_units,
            "buffer_minutes": rules.buffer_minutes,
            "advance_days": rules.advance_days,
            "instant_booking": rules.instant_booking,
            "cancellation_policy": rules.cancellation_policy,
        }
        for window in rules.opening_hours:
            key = WEEKDAYS[window.weekday]
            initial[f"opens_{key}"] = window.as_dict()["opens"]
            initial[f"closes_{key}"] = window.as_dict()["closes"]
        form = AvailabilityForm(initial=initial, unit=rules.unit)
    return render(
        request,
        "catalog/availability.html",
        {
            "listing": listing,
            "rules": rules,
            "form": form,
            "blocked_form": blocked_form or BlockedPeriodForm(),
            "blocked": [
                (
                    b,
                    b.start_at.astimezone(rules.zone).date(),
                    (
                        b.end_at.astimezone(rules.zone) - dt.timedelta(microseconds=1)
                    ).date(),
                )
                for b in blocked_periods_of(listing=listing)
            ],
            "calendar": calendar_month(request, listing, now=timezone.now()),
        },
        status=status,
    )


def _bookable_owned_or_404(request: HttpRequest, public_id) -> Listing:
    listing = _owned_or_404(request, public_id)
    try:
        availability_get(listing=listing)
    except NotBookable as exc:
        raise Http404(exc.detail) from exc
    return listing


@login_required
def listing_availability(request: HttpRequest, public_id) -> HttpResponse:
    """The owner edits a rental or lend listing's calendar rules."""
    listing = _bookable_owned_or_404(request, public_id)
    if request.method != "POST":
        return _availability_page(request, listing)
    rules = availability_get(listing=listing)
    form = AvailabilityForm(request.POST, unit=rules.unit)
    if form.is_valid():
        try:
            availability_set(
                listing=listing,
                actor=request.user,
                now=timezone.now(),
                **form.settings(),
            )
        except SelfworkError as exc:
            form.add_service_error(exc)
            return _availability_page(request, listing, form=form, status=exc.status)
        messages.success(request, _("The calendar's rules are saved."))
        return redirect("web:listing_availability", public_id=listing.public_id)
    return _availability_page(request, listing, form=form, status=422)


@login_required
@require_POST
def listing_blocked_add(request: HttpRequest, public_id) -> HttpResponse:
    listing = _bookable_owned_or_404(request, public_id)
    form = BlockedPeriodForm(request.POST)
    if form.is_valid():
        try:
            blocked_period_add(
                listing=listing, actor=request.user, now=timezone.now(), **form.period()
            )
        except SelfworkError as exc:
            form.add_error(None, exc.detail)
            return _availability_page(
                request, listing, blocked_form=form, status=exc.status
            )
        messages.success(request, _("Those days are blocked."))
        return redirect("web:listing_availability", public_id=listing.public_id)
    return _availability_page(request, listing, blocked_form=form, status=422)


@login_required
@require_POST
def listing_blocked_remove(request: HttpRequest, public_id, blocked_id) -> HttpResponse:
    listing = _bookable_owned_or_404(request, public_id)
    try:
        blocked_period_remove(listing=listing, actor=request.user, public_id=blocked_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    messages.success(request, _("Those days are open again."))
    return redirect("web:listing_availability", public_id=listing.public_id)
