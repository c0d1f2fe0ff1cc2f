"""Web pages for listings: the listing page, the editor, hide / show / delete.

New images are stored by ``upload_create`` inside the same transaction as the
listing service call, so a refused listing leaves no upload behind.
"""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from selfwork.accounts.forms import safe_next, uploads_atomic, uploads_store
from selfwork.accounts.models import Member
from selfwork.catalog.forms import ListingForm, listing_initial
from selfwork.catalog.models import Listing
from selfwork.catalog.selectors import (
    listing_get,
    listing_get_for_moderation,
    listing_get_for_owner,
)
from selfwork.catalog.services import (
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
    fields = list(listing_fields_of(community=listing.community))
    return render(
        request,
        "catalog/listing.html",
        {
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
                        now=now,
                        **form.fields_for_service(),
                    )
            except SelfworkError as exc:
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, "Your listing is live.")
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
                messages.success(request, "Your changes are saved.")
                return redirect("web:listing", public_id=listing.public_id)
    return render(
        request,
        "catalog/editor.html",
        _editor_context(form, community, listing=listing),
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
        request, f"“{listing.title}” is hidden: only you can see it until you show it."
    )
    return redirect(
        safe_next(request, reverse("web:listing", args=[listing.public_id]))
    )


@login_required
@require_POST
def listing_show_view(request: HttpRequest, public_id) -> HttpResponse:
    listing = _owned_or_404(request, public_id)
    listing_show(listing=listing, actor=request.user, now=timezone.now())
    messages.success(request, f"“{listing.title}” is visible again.")
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
    listing_delete(listing=listing, actor=request.user)
    messages.success(request, f"“{title}” is deleted.")
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
