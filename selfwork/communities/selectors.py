"""Reads on communities. Private communities do not exist for outsiders (404)."""

from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext

from selfwork.accounts.models import Member
from selfwork.communities.models import Category, Community, ListingField, Membership
from selfwork.core.errors import NotFound, NotPermitted


def in_visible_community(*, viewer, through: str = "community") -> Q:
    """The condition on a row whose community ``viewer`` may see: public,
    invite-only and their own (``through`` names the row's community, "" for a
    community itself).

    Flat, so the database plans it cheaply: the community's own column, or the
    join the row already has, and one subquery of ``viewer``'s memberships. A
    community reached by a nested subquery cost PostgreSQL milliseconds to plan
    for every listing query.
    """
    field = f"{through}__" if through else ""
    visible = ~Q(**{f"{field}visibility": Community.Visibility.PRIVATE})
    if viewer is not None and viewer.is_authenticated:
        visible |= Q(
            **{
                f"{field}pk__in": Membership.objects.filter(
                    member=viewer.pk,
                    status__in=[Membership.Status.ACTIVE, Membership.Status.INVITED],
                ).values("community_id")
            }
        )
    return visible


def communities_visible_to(*, viewer) -> QuerySet[Community]:
    """Return the communities ``viewer`` may see: public, invite-only and their own."""
    return Community.objects.filter(in_visible_community(viewer=viewer, through=""))


def communities_list(*, viewer) -> QuerySet[Community]:
    """Return visible communities, largest first, with their cover image loaded."""
    return (
        communities_visible_to(viewer=viewer)
        .select_related("cover", "logo")
        .order_by("-member_count", "name", "pk")
    )


class CommunityName(NamedTuple):
    slug: str
    name: str


def community_names(*, viewer) -> list[CommunityName]:
    """The slug and name of each community ``viewer`` may see, in the order of
    ``communities_list``: what a choice of community shows, with no model rows."""
    rows = communities_visible_to(viewer=viewer).order_by("-member_count", "name", "pk")
    return [CommunityName(*row) for row in rows.values_list("slug", "name")]


def community_get(*, slug: str, viewer) -> Community:
    """Return the community ``slug`` if ``viewer`` may see it.

    :raises NotFound: if it does not exist or is private and ``viewer`` is no member.
    """
    if "\x00" in str(slug):
        # No slug holds NUL, and PostgreSQL cannot even compare text with it.
        raise NotFound(gettext("No such community."), code="community_not_found")
    community = (
        communities_visible_to(viewer=viewer)
        .filter(slug=str(slug)[:50])
        .select_related("cover", "logo")
    ).first()
    if community is None:
        raise NotFound(
            gettext("No community '%(slug)s'.") % {"slug": str(slug)[:50]},
            code="community_not_found",
        )
    return community


# How long a host name's community is remembered: a domain attached or moved is
# forgotten at once on this process (``domain_forget``), on others within this.
DOMAIN_CACHE_SECONDS = 60
_NO_COMMUNITY = ""


def _domain_key(domain: str) -> str:
    return f"community-domain:{domain}"


def community_slug_for_domain(domain: str) -> str | None:
    """Return the slug of the community whose own domain is ``domain``, or None.

    Read on every request for a host name that is not the site's own, so the
    answer (a miss included) is kept in the local-memory cache for a minute.
    """
    domain = domain.lower()[:253]
    key = _domain_key(domain)
    slug = cache.get(key)
    if slug is None:
        slug = (
            Community.objects.filter(domain=domain)
            .values_list("slug", flat=True)
            .first()
        ) or _NO_COMMUNITY
        cache.set(key, slug, DOMAIN_CACHE_SECONDS)
    return slug or None


def domain_forget(*domains: str | None) -> None:
    """Drop what the cache remembers of these host names (after one changed)."""
    cache.delete_many([_domain_key(d) for d in domains if d])


def membership_get(*, community: Community, member) -> Membership | None:
    """Return ``member``'s membership of ``community`` (any status), or None."""
    if member is None or not member.is_authenticated:
        return None
    return Membership.objects.filter(community=community, member=member).first()


def _signed_in(member) -> bool:
    return member is not None and getattr(member, "is_authenticated", False)


def member_is_active_member(*, community: Community | int, member) -> bool:
    """Whether ``member`` is an active member of ``community`` (in any role).

    ``community`` may be a community or its primary key.
    """
    if not _signed_in(member):
        return False
    return Membership.objects.filter(
        community=community, member=member, status=Membership.Status.ACTIVE
    ).exists()


def member_is_host(*, community: Community | int, member) -> bool:
    """Whether ``member`` is an active host of ``community`` (or its primary key)."""
    if not _signed_in(member):
        return False
    return Membership.objects.filter(
        community=community,
        member=member,
        role=Membership.Role.HOST,
        status=Membership.Status.ACTIVE,
    ).exists()


def member_can_moderate(*, community: Community | int, member) -> bool:
    """Whether ``member`` is an active host or moderator of ``community``."""
    if not _signed_in(member):
        return False
    return Membership.objects.filter(
        community=community,
        member=member,
        role__in=[Membership.Role.HOST, Membership.Role.MODERATOR],
        status=Membership.Status.ACTIVE,
    ).exists()


def communities_hosted_by(*, member) -> QuerySet[Community]:
    """Return the communities where ``member`` is an active host.

    Unordered: meant for ``community__in=`` filters, where it stays a subquery.
    """
    return Community.objects.filter(
        pk__in=Membership.objects.filter(
            member=member, role=Membership.Role.HOST, status=Membership.Status.ACTIVE
        ).values("community_id")
    )


def communities_moderated_by(*, member) -> QuerySet[Community]:
    """Return the communities where ``member`` is an active host or moderator.

    Unordered: meant for ``community__in=`` filters, where it stays a subquery.
    """
    return Community.objects.filter(
        pk__in=Membership.objects.filter(
            member=member,
            role__in=[Membership.Role.HOST, Membership.Role.MODERATOR],
            status=Membership.Status.ACTIVE,
        ).values("community_id")
    )


def host_required(*, community: Community, member) -> None:
    """Refuse anyone but an active host of ``community``.

    :raises NotPermitted: ``not_host``.
    """
    if not member_is_host(community=community, member=member):
        raise NotPermitted(
            gettext("Only a host of the community may do that."), code="not_host"
        )


def member_required(*, community: Community, member, doing: str) -> None:
    """Refuse anyone but an active member of ``community``.

    ``doing`` ends the sentence "Only members of <community> can …".

    :raises NotPermitted: ``not_a_member``.
    """
    if not member_is_active_member(community=community, member=member):
        raise NotPermitted(
            gettext("Only members of %(name)s can %(doing)s.")
            % {"name": community.name, "doing": doing},
            code="not_a_member",
        )


def memberships_of(*, member) -> QuerySet[Membership]:
    """Return ``member``'s active and pending memberships with their communities."""
    return (
        Membership.objects.filter(member=member)
        .select_related("community", "community__cover")
        .order_by("community__name", "pk")
    )


def community_members(
    *, community: Community, status: str = "active"
) -> QuerySet[Membership]:
    """Return the community's memberships of ``status``, hosts first, then by name."""
    order = {"host": 0, "moderator": 1, "member": 2}
    return (
        Membership.objects.filter(community=community, status=status)
        .select_related("member", "member__avatar")
        .annotate(
            role_rank=Case(
                *[When(role=r, then=Value(v)) for r, v in order.items()],
                output_field=IntegerField(),
            )
        )
        .order_by("role_rank", "member__username", "pk")
    )


def categories_of(*, community: Community) -> QuerySet[Category]:
    """Return the community's categories in display order."""
    return Category.objects.filter(community=community).order_by(
        "position", "name", "pk"
    )


def listing_fields_of(*, community: Community) -> QuerySet[ListingField]:
    """Return the community's custom listing fields in display order."""
    return ListingField.objects.filter(community=community).order_by("position", "pk")


def active_members_named(
    *, community: Community, usernames: list[str]
) -> QuerySet[Member]:
    """Return the active members of ``community`` among ``usernames``, by username.

    For mentions: a name that is nobody, or somebody outside the community, is
    simply not among them.
    """
    return Member.objects.filter(
        username__in=usernames,
        is_active=True,
        memberships__community=community,
        memberships__status=Membership.Status.ACTIVE,
    ).order_by("username")


def community_moderators(*, community: Community) -> QuerySet[Member]:
    """Return the active hosts and moderators of ``community``, by username."""
    return Member.objects.filter(
        is_active=True,
        memberships__community=community,
        memberships__status=Membership.Status.ACTIVE,
        memberships__role__in=[Membership.Role.HOST, Membership.Role.MODERATOR],
    ).order_by("username")
