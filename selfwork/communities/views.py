"""Web pages for communities: the directory, starting one, joining, members, settings.

A community's own page shows its listings, so it lives in ``selfwork.web``.
Private communities do not exist for outsiders: every page here answers 404 for
them, exactly like a slug that was never taken.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from selfwork.accounts.forms import add_service_error, uploads_atomic, uploads_store
from selfwork.accounts.selectors import member_get
from selfwork.communities.branding import accent_readable, accent_strong
from selfwork.communities.forms import (
    BrandingForm,
    CategoryForm,
    CommunityForm,
    CommunitySettingsForm,
    InviteForm,
    ListingFieldForm,
    RoleForm,
)
from selfwork.communities.models import Community, Membership
from selfwork.communities.selectors import (
    categories_of,
    communities_list,
    community_get,
    community_members,
    listing_fields_of,
    membership_get,
)
from selfwork.communities.services import (
    category_create,
    category_delete,
    community_create,
    community_invite,
    community_join,
    community_leave,
    community_update,
    listing_field_create,
    listing_field_delete,
    membership_approve,
    membership_decline,
    membership_set_role,
)
from selfwork.communities.timebank import timebank_health
from selfwork.core.errors import InvalidInput, NotFound, SelfworkError
from selfwork.core.pagination import offset_page

PAGE_SIZE = 24


def _community_or_404(slug: str, viewer) -> Community:
    try:
        return community_get(slug=slug, viewer=viewer)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _page(rows, cursor: str | None, limit: int = PAGE_SIZE):
    """One page of a short list; a cursor we did not give out starts again."""
    try:
        return offset_page(rows, cursor=cursor, limit=limit)
    except InvalidInput:
        return offset_page(rows, cursor=None, limit=limit)


def communities(request: HttpRequest) -> HttpResponse:
    rows, cursor = _page(
        communities_list(viewer=request.user), request.GET.get("cursor")
    )
    return render(
        request,
        "communities/list.html",
        {"communities": rows, "next_cursor": cursor},
    )


@login_required
def community_new(request: HttpRequest) -> HttpResponse:
    form = CommunityForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                community = community_create(
                    creator=request.user,
                    slug=form.cleaned_data["slug"],
                    name=form.cleaned_data["name"],
                    now=timezone.now(),
                    settings=form.settings(),
                )
            except SelfworkError as exc:
                if exc.code == "slug_taken":
                    form.add_error("slug", exc.detail)
                else:
                    add_service_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    gettext(
                        "%(community)s is open. Add categories and choose its ways "
                        "to exchange in Settings."
                    )
                    % {"community": community.name},
                )
                return redirect("web:community", slug=community.slug)
    return render(request, "communities/new.html", {"form": form}, status=status)


@login_required
@require_POST
def community_join_view(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community_or_404(slug, request.user)
    try:
        membership = community_join(
            community=community, member=request.user, now=timezone.now()
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except SelfworkError as exc:
        messages.error(request, exc.detail)
    else:
        if membership.status == Membership.Status.PENDING:
            messages.success(
                request,
                gettext(
                    "Your request to join is with the hosts. We'll let you in soon."
                ),
            )
        else:
            messages.success(
                request,
                gettext("Welcome to %(community)s!") % {"community": community.name},
            )
    return redirect("web:community", slug=community.slug)


@login_required
@require_POST
def community_leave_view(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community_or_404(slug, request.user)
    try:
        community_leave(community=community, member=request.user)
    except SelfworkError as exc:
        messages.error(request, exc.detail)
        return redirect("web:community", slug=community.slug)
    messages.success(
        request, gettext("You left %(community)s.") % {"community": community.name}
    )
    if community.visibility == Community.Visibility.PRIVATE:
        return redirect("web:communities")
    return redirect("web:community", slug=community.slug)


def community_members_view(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community_or_404(slug, request.user)
    rows, cursor = _page(
        community_members(community=community), request.GET.get("cursor"), limit=60
    )
    return render(
        request,
        "communities/members.html",
        {"community": community, "memberships": rows, "next_cursor": cursor},
    )


SETTINGS_ACTIONS = {
    "settings",
    "branding",
    "category_add",
    "category_delete",
    "field_add",
    "field_delete",
    "approve",
    "decline",
    "invite",
    "role",
}
ROLE_GIVEN = {
    Membership.Role.HOST.value: gettext_lazy("%(name)s is now a host."),
    Membership.Role.MODERATOR.value: gettext_lazy("%(name)s is now a moderator."),
    Membership.Role.MEMBER.value: gettext_lazy("%(name)s is now a member."),
}


@login_required
def community_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything a host configures, as small forms on one page."""
    community = _community_or_404(slug, request.user)
    membership = membership_get(community=community, member=request.user)
    if (
        membership is None
        or not membership.is_active
        or membership.role != Membership.Role.HOST
    ):
        raise PermissionDenied(
            gettext("Only the community's hosts can change its settings.")
        )

    forms: dict[str, Form] = {
        "settings": CommunitySettingsForm(
            initial=CommunitySettingsForm.initial_of(community), prefix="settings"
        ),
        "branding": BrandingForm(
            initial=BrandingForm.initial_of(community), prefix="branding"
        ),
        "category": CategoryForm(prefix="category"),
        "field": ListingFieldForm(prefix="field"),
        "invite": InviteForm(prefix="invite"),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in SETTINGS_ACTIONS:
            messages.error(request, gettext("That form is not one of this page's."))
            return redirect("web:community_settings", slug=community.slug)
        result = _settings_action(request, community, action, forms)
        if result is not None:
            return result
        status = 422

    return render(
        request,
        "communities/settings.html",
        {
            "community": community,
            "forms": forms,
            "categories": categories_of(community=community),
            "listing_fields": listing_fields_of(community=community),
            "pending": community_members(community=community, status="pending"),
            "invited": community_members(community=community, status="invited"),
            "members": community_members(community=community),
            "role_choices": Membership.Role.choices,
            "timebank": timebank_health(community=community)
            if community.timebank_enabled
            else None,
        },
        status=status,
    )


def _settings_action(
    request: HttpRequest, community: Community, action: str, forms: dict[str, Form]
) -> HttpResponse | None:
    """Run one settings form; a redirect when it worked, None to show its errors."""
    actor = request.user
    at = reverse("web:community_settings", kwargs={"slug": community.slug})
    post = request.POST
    try:
        if action == "settings":
            settings_form = forms["settings"] = CommunitySettingsForm(
                post, prefix="settings"
            )
            if not settings_form.is_valid():
                return None
            try:
                community_update(
                    community=community,
                    actor=actor,
                    changes=settings_form.changes(),
                    now=timezone.now(),
                )
            except SelfworkError as exc:
                add_service_error(settings_form, exc)
                # The in-memory community may hold half-applied changes; reload.
                community.refresh_from_db()
                return None
            messages.success(request, gettext("Settings saved."))
            return redirect(at)
        if action == "branding":
            return _branding_save(request, community, forms)
        if action == "category_add":
            category_form = forms["category"] = CategoryForm(post, prefix="category")
            if not category_form.is_valid():
                return None
            try:
                category_create(
                    community=community,
                    actor=actor,
                    slug=category_form.cleaned_data["slug"],
                    name=category_form.cleaned_data["name"],
                )
            except SelfworkError as exc:
                add_service_error(category_form, exc)
                if exc.code == "category_exists":
                    category_form.add_error("slug", gettext("Pick another address."))
                return None
            messages.success(
                request,
                gettext("Category “%(name)s” added.")
                % {"name": category_form.cleaned_data["name"]},
            )
            return redirect(at + "#categories")
        if action == "category_delete":
            category_delete(
                community=community, actor=actor, slug=post.get("slug", "")[:50]
            )
            messages.success(request, gettext("Category removed."))
            return redirect(at + "#categories")
        if action == "field_add":
            field_form = forms["field"] = ListingFieldForm(post, prefix="field")
            if not field_form.is_valid():
                return None
            try:
                listing_field_create(
                    community=community,
                    actor=actor,
                    key=field_form.cleaned_data["key"],
                    label=field_form.cleaned_data["label"],
                    kind=field_form.cleaned_data["kind"],
                    choices=field_form.choice_list(),
                    required=field_form.cleaned_data["required"],
                )
            except SelfworkError as exc:
                add_service_error(field_form, exc)
                return None
            messages.success(
                request,
                gettext("Field “%(label)s” added.")
                % {"label": field_form.cleaned_data["label"]},
            )
            return redirect(at + "#fields")
        if action == "field_delete":
            listing_field_delete(
                community=community, actor=actor, key=post.get("key", "")[:40]
            )
            messages.success(request, gettext("Field removed."))
            return redirect(at + "#fields")
        if action == "invite":
            invite_form = forms["invite"] = InviteForm(post, prefix="invite")
            if not invite_form.is_valid():
                return None
            try:
                member = member_get(username=invite_form.cleaned_data["username"])
                community_invite(
                    community=community, actor=actor, member=member, now=timezone.now()
                )
            except SelfworkError as exc:
                invite_form.add_error("username", exc.detail)
                return None
            messages.success(
                request, gettext("%(name)s is invited.") % {"name": member.name}
            )
            return redirect(at + "#members")
        # approve, decline and role act on one member named in the invite_form.
        member = member_get(username=post.get("username", "")[:150])
        if action == "approve":
            membership_approve(
                community=community, actor=actor, member=member, now=timezone.now()
            )
            messages.success(
                request, gettext("%(name)s is now a member.") % {"name": member.name}
            )
        elif action == "decline":
            membership_decline(community=community, actor=actor, member=member)
            messages.success(
                request,
                gettext("%(name)s's request is declined.") % {"name": member.name},
            )
        elif action == "role":
            role_form = RoleForm(post)
            role = role_form.cleaned_data["role"] if role_form.is_valid() else ""
            membership_set_role(
                community=community, actor=actor, member=member, role=role
            )
            given = ROLE_GIVEN.get(role) or gettext("%(name)s is now a %(role)s.")
            messages.success(request, given % {"name": member.name, "role": role})
        return redirect(at + "#members")
    except SelfworkError as exc:
        # Actions without a form of their own (buttons in a list) report above it.
        messages.error(request, exc.detail)
        return redirect(at)


def _branding_save(
    request: HttpRequest, community: Community, forms: dict[str, Form]
) -> HttpResponse | None:
    """Save the branding form: new images first, then one ``community_update``."""
    form = forms["branding"] = BrandingForm(
        request.POST, request.FILES, prefix="branding"
    )
    if not form.is_valid():
        return None
    changes = form.changes()
    try:
        with uploads_atomic() as created:
            for image in ("logo", "cover"):
                if form.cleaned_data[image]:
                    stored = uploads_store(
                        [form.cleaned_data[image]],
                        owner=request.user,
                        now=timezone.now(),
                        created=created,
                    )
                    changes[image] = str(stored[-1].public_id)
            community_update(
                community=community,
                actor=request.user,
                changes=changes,
                now=timezone.now(),
            )
    except SelfworkError as exc:
        add_service_error(form, exc, upload_field=getattr(exc, "field", None))
        community.refresh_from_db()
        return None
    messages.success(request, gettext("Branding saved."))
    return redirect(
        reverse("web:community_settings", kwargs={"slug": community.slug}) + "#branding"
    )


BRAND_PAGES = {
    "about": gettext_lazy("About"),
    "rules": gettext_lazy("Rules"),
    "contact": gettext_lazy("Contact"),
}


def community_text_page(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    """A community's about, rules or contact page (Markdown its hosts wrote)."""
    community = _community_or_404(slug, request.user)
    text = getattr(community, page)
    return render(
        request,
        "communities/text_page.html",
        {
            "community": community,
            "page": page,
            "title": BRAND_PAGES[page],
            "text": text,
        },
        status=200 if text else 404,
    )


def community_brand_css(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's accent colour as CSS custom properties.

    A stylesheet of its own rather than an inline ``style``: the
    Content-Security-Policy allows styles from this origin only (decision 0012).
    """
    community = _community_or_404(slug, request.user)
    color = community.accent_color
    css = ""
    # A colour that does not read (stored before the contrast rule) is left out,
    # and the theme's colours stay.
    if accent_readable(color):
        css = (
            f":root {{ --community-accent: {color}; --brand: {color}; "
            f"--brand-strong: {accent_strong(color)}; }}\n"
        )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
