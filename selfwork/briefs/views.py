"""Web pages for briefs: the boards, posting a brief, and a brief with its offers.

The brief page holds several small forms (make an offer, accept, counter, decline,
withdraw, answer a counter, close). Each POST loads its subject with one selector,
runs one service and redirects, or shows the page again with the error beside its
field (422) so nothing typed is lost.
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from selfwork.accounts.forms import uploads_atomic, uploads_store
from selfwork.accounts.models import Member
from selfwork.briefs import selectors, services
from selfwork.briefs.forms import BriefForm, CounterForm, OfferForm
from selfwork.briefs.models import Brief, Offer
from selfwork.communities.models import Community
from selfwork.communities.selectors import (
    communities_visible_to,
    community_get,
    membership_get,
    memberships_of,
)
from selfwork.core.errors import NotFound, SelfworkError
from selfwork.core.throttle import throttle_check

BOARD_PAGE = 24
OFFER_ACTIONS = (
    "withdraw",
    "accept",
    "decline",
    "counter",
    "counter_accept",
    "counter_decline",
)


def _board(
    request: HttpRequest, *, community: Community | None, template_extra: dict
) -> HttpResponse:
    rows = selectors.briefs_open(
        viewer=request.user, community=community, now=timezone.now()
    )
    try:
        briefs, following = selectors.page_keyset(
            rows, cursor=request.GET.get("cursor"), limit=BOARD_PAGE
        )
    except SelfworkError:
        briefs, following = selectors.page_keyset(rows, cursor=None, limit=BOARD_PAGE)
    return render(
        request,
        "briefs/board.html",
        {
            "briefs": briefs,
            "next_cursor": following,
            "paging": bool(request.GET.get("cursor")),
            "community": community,
            **template_extra,
        },
    )


def briefs_board(request: HttpRequest) -> HttpResponse:
    """Every open brief the viewer may see; ``?community=<slug>`` narrows it."""
    slug = request.GET.get("community", "")[:50]
    community = None
    if slug:
        try:
            community = community_get(slug=slug, viewer=request.user)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
    choices = list(
        communities_visible_to(viewer=request.user).order_by("name", "pk")[:200]
    )
    return _board(
        request,
        community=community,
        template_extra={"choices": choices, "overall": True},
    )


def community_briefs(request: HttpRequest, slug: str) -> HttpResponse:
    """One community's board of open briefs (404 for outsiders of a private one)."""
    try:
        community = community_get(slug=slug, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    membership = membership_get(community=community, member=request.user)
    return _board(
        request,
        community=community,
        template_extra={
            "overall": False,
            "is_member": membership is not None and membership.is_active,
        },
    )


@login_required
def brief_new(request: HttpRequest) -> HttpResponse:
    """Post a brief in one of your communities (``?community=<slug>`` preselects it)."""
    member = cast(Member, request.user)
    communities = [m.community for m in memberships_of(member=member) if m.is_active]
    asked = request.GET.get("community", "")[:50]
    chosen = next((c for c in communities if c.slug == asked), None)
    if chosen is None and communities:
        chosen = communities[0]
    initial = {
        "community": chosen.slug if chosen else None,
        "currency": (chosen.currency if chosen else member.preferred_currency),
        **{
            k: request.GET[k][:200]
            for k in ("title", "description")
            if request.GET.get(k)
        },
    }
    form = BriefForm(
        request.POST or None,
        request.FILES or None,
        communities=communities,
        initial=initial,
    )
    status = 200
    if request.method == "POST" and communities:
        status = 422
        if form.is_valid():
            community = next(
                c for c in communities if c.slug == form.cleaned_data["community"]
            )
            try:
                with uploads_atomic() as created:
                    now = timezone.now()
                    uploads_store(
                        form.cleaned_data["attachments"],
                        owner=member,
                        now=now,
                        created=created,
                    )
                    brief = services.brief_create(
                        author=member,
                        community=community,
                        attachments=[str(u.public_id) for u in created],
                        now=now,
                        **form.for_service(),
                    )
            except SelfworkError as exc:
                form.add_service_error(exc)
                status = exc.status if exc.status != 400 else 422
            else:
                messages.success(
                    request,
                    gettext("Your brief is posted. Offers will appear on this page."),
                )
                return redirect("web:brief", public_id=brief.public_id)
    return render(
        request,
        "briefs/new.html",
        {"form": form, "communities": communities, "asked": asked},
        status=status,
    )


def _offer_rows(brief: Brief, viewer, now) -> list[dict[str, Any]]:
    rows = []
    for offer in selectors.offers_for_brief(brief=brief, viewer=viewer):
        status = selectors.offer_status(offer=offer, now=now)
        rows.append(
            {
                "offer": offer,
                "status": status,
                "live": status in Offer.LIVE,
                "counter": selectors.counter_open(offer=offer),
                "counters": list(offer.counters.all()),
            }
        )
    return rows


def _brief_page(
    request: HttpRequest,
    brief: Brief,
    *,
    offer_form: OfferForm | None = None,
    counter_form: CounterForm | None = None,
    counter_for: str | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = request.user
    now = timezone.now()
    is_author = viewer.is_authenticated and brief.author_id == viewer.pk
    offers = _offer_rows(brief, viewer, now)
    mine = [r for r in offers if r["offer"].provider_id == viewer.pk]
    has_live = any(r["live"] for r in mine)
    can_offer = (
        not is_author
        and not has_live
        and selectors.can_offer(brief=brief, member=viewer)
    )
    if can_offer and offer_form is None:
        offer_form = OfferForm()
    for row in offers:
        key = str(row["offer"].public_id)
        row["counter_form"] = (
            counter_form
            if counter_form is not None and counter_for == key
            else CounterForm(
                prefix=f"counter-{key}",
                initial={"delivery_days": row["offer"].delivery_days},
            )
        )
    return render(
        request,
        "briefs/brief.html",
        {
            "brief": brief,
            "attachments": list(brief.attachments.all()),
            "is_author": is_author,
            "offers": offers,
            "my_offers": mine,
            "offer_form": offer_form if can_offer else None,
            "is_member": membership_is_active(brief, viewer),
            "accepted": next(
                (r["offer"] for r in offers if r["offer"].status == "accepted"), None
            ),
        },
        status=status,
    )


def membership_is_active(brief: Brief, viewer) -> bool:
    membership = membership_get(community=brief.community, member=viewer)
    return membership is not None and membership.is_active


def brief_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A brief with the offers the viewer may see, and the forms they may use."""
    try:
        brief = selectors.brief_get(public_id=public_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if request.method != "POST":
        return _brief_page(request, brief)
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    action = request.POST.get("action", "")
    if action == "offer":
        return _offer_create(request, brief)
    if action in ("close", "cancel"):
        return _brief_end(request, brief, action)
    if action in OFFER_ACTIONS:
        return _offer_action(request, brief, action)
    messages.error(request, gettext("That form is not one of this page's."))
    return redirect("web:brief", public_id=brief.public_id)


def _offer_create(request: HttpRequest, brief: Brief) -> HttpResponse:
    form = OfferForm(request.POST)
    if not form.is_valid():
        return _brief_page(request, brief, offer_form=form, status=422)
    try:
        throttle_check(request=request, scope="offers", now=timezone.now())
        services.offer_create(
            brief=brief,
            provider=request.user,
            now=timezone.now(),
            **form.for_service(brief.currency),
        )
    except SelfworkError as exc:
        _refuse_forgery(exc)
        if getattr(exc, "field", None) is None and exc.status == 409:
            messages.error(request, exc.detail)
            return redirect("web:brief", public_id=brief.public_id)
        form.add_service_error(exc)
        return _brief_page(request, brief, offer_form=form, status=exc.status)
    messages.success(
        request, gettext("Your offer is sent. You'll see here when it is answered.")
    )
    return redirect("web:brief", public_id=brief.public_id)


def _brief_end(request: HttpRequest, brief: Brief, action: str) -> HttpResponse:
    try:
        mine = selectors.brief_get_for_author(
            public_id=brief.public_id, author=request.user
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    end = services.brief_close if action == "close" else services.brief_cancel
    try:
        end(brief=mine, author=request.user, now=timezone.now())
    except SelfworkError as exc:
        _refuse_forgery(exc)
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            gettext("The brief is closed to new offers.")
            if action == "close"
            else gettext("The brief is cancelled."),
        )
    return redirect("web:brief", public_id=brief.public_id)


def _offer_action(request: HttpRequest, brief: Brief, action: str) -> HttpResponse:
    try:
        offer = selectors.offer_get_for_party(
            public_id=request.POST.get("offer", ""), member=request.user
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if offer.brief_id != brief.pk:
        raise Http404("No such offer on this brief.")
    member, now = request.user, timezone.now()
    try:
        if action == "accept":
            exchange = services.offer_accept(offer=offer, customer=member, now=now)
            messages.success(
                request,
                gettext(
                    "Offer accepted. Pay into escrow to start the work: the provider is "
                    "paid only when you accept what they deliver."
                ),
            )
            return redirect("web:exchange", public_id=exchange.public_id)
        if action == "counter":
            form = CounterForm(request.POST, prefix=f"counter-{offer.public_id}")
            if not form.is_valid():
                return _counter_error(request, brief, offer, form, None)
            try:
                services.offer_counter(
                    offer=offer,
                    customer=member,
                    now=now,
                    **form.for_service(brief.currency),
                )
            except SelfworkError as exc:
                if getattr(exc, "field", None) is None:
                    raise
                return _counter_error(request, brief, offer, form, exc)
            messages.success(request, gettext("Your counter-proposal is sent."))
        elif action == "withdraw":
            services.offer_withdraw(offer=offer, provider=member, now=now)
            messages.success(request, gettext("Your offer is withdrawn."))
        elif action == "decline":
            services.offer_decline(offer=offer, customer=member, now=now)
            messages.success(request, gettext("Offer declined."))
        else:
            counter = selectors.counter_open(offer=offer)
            if counter is None:
                messages.error(
                    request, gettext("There is no counter-proposal waiting.")
                )
            elif action == "counter_accept":
                services.counter_accept(counter=counter, provider=member, now=now)
                messages.success(request, gettext("You took the counter-proposal."))
            else:
                services.counter_decline(counter=counter, provider=member, now=now)
                messages.success(request, gettext("You kept your offer as it was."))
    except SelfworkError as exc:
        _refuse_forgery(exc)
        messages.error(request, exc.detail)
    return redirect("web:brief", public_id=brief.public_id)


def _refuse_forgery(exc: SelfworkError) -> None:
    """A form the page never showed this person (wrong party): 403, not a notice."""
    if exc.status == 403:
        raise PermissionDenied(exc.detail) from exc


def _counter_error(
    request: HttpRequest,
    brief: Brief,
    offer: Offer,
    form: CounterForm,
    exc: SelfworkError | None,
) -> HttpResponse:
    if exc is not None:
        form.add_service_error(exc)
    return _brief_page(
        request,
        brief,
        counter_form=form,
        counter_for=str(offer.public_id),
        status=exc.status if exc is not None else 422,
    )
