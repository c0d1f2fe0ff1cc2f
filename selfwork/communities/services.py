"""Writes on communities: start, configure, join, approve, invite, leave, roles."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext, gettext_lazy

from selfwork.communities.branding import accent_color_check, domain_check
from selfwork.communities.models import (
    ALL_MODES,
    Category,
    Community,
    ListingField,
    Membership,
)
from selfwork.communities.selectors import community_moderators, domain_forget
from selfwork.communities.timebank import (
    timebank_limits_apply,
    timebank_limits_check,
    timebank_limits_parse,
    timebank_member_join,
)
from selfwork.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from selfwork.core.events import event_record
from selfwork.core.generations import LISTINGS, generation_bump
from selfwork.core.i18n import interpolate_lazy
from selfwork.core.money import Money, unit_check, unit_exponent
from selfwork.core.parse import upload_ids_parse
from selfwork.core.text import markdown_check, plain_check
from selfwork.notifications.models import Kind
from selfwork.notifications.services import notify_many

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])$")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_SLUGS = {"new", "api", "admin", "static", "media", "search", "settings"}
MAX_CATEGORIES = 50
MAX_LISTING_FIELDS = 20
# The largest minimum fee, in whole units of the community's currency. Whatever it
# is, the provider fee never takes more than half a price (``payments.fees``).
MAX_MINIMUM_FEE = 1000


def _slug_check(slug: Any, *, field: str = "slug") -> str:
    if not isinstance(slug, str) or not SLUG.match(slug) or slug in RESERVED_SLUGS:
        raise InvalidInput(
            gettext(
                "%(field)s is 3 to 50 lower-case letters, digits and '-', "
                "starting and ending with a letter or digit."
            )
            % {"field": field},
            field=field,
            code="invalid_slug",
        )
    return slug


def _percent_check(value: Any, *, field: str, maximum: int) -> Decimal:
    text = str(value).strip() if isinstance(value, (str, int, Decimal)) else ""
    if isinstance(value, bool) or not re.match(r"^\d{1,3}(\.\d{1,2})?$", text):
        raise InvalidInput(
            gettext(
                '%(field)s is a percentage such as "5" or "7.5" (at most two decimals).'
            )
            % {"field": field},
            field=field,
            code="invalid_percent",
        )
    try:
        percent = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern guards this
        raise InvalidInput(
            gettext("%(field)s is not a number.") % {"field": field}, field=field
        ) from exc
    if percent > maximum:
        raise InvalidInput(
            gettext("%(field)s may be at most %(maximum)s%%.")
            % {"field": field, "maximum": maximum},
            field=field,
            code="invalid_percent",
        )
    return percent


def _modes_check(modes: Any) -> list[str]:
    if not isinstance(modes, list) or not modes:
        raise InvalidInput(
            gettext("enabled_modes is a non-empty list of modes."),
            field="enabled_modes",
        )
    for mode in modes:
        if mode not in ALL_MODES:
            raise InvalidInput(
                gettext("'%(mode)s' is not a mode; modes are %(value)s.")
                % {"mode": str(mode)[:30], "value": ", ".join(ALL_MODES)},
                field="enabled_modes",
                code="unknown_mode",
            )
    return [m for m in ALL_MODES if m in modes]


TIMEBANK_SETTINGS = frozenset(
    {
        "timebank_enabled",
        "timebank_starting_credit",
        "timebank_floor",
        "timebank_ceiling",
    }
)


BRANDING_PAGES = {"about": 10000, "rules": 10000, "contact": 2000}


def _apply_settings(
    community: Community, changes: dict[str, Any], *, actor=None
) -> None:
    for field, value in timebank_limits_parse(changes).items():
        setattr(community, field, value)
    timebank_limits_check(community)
    for field, value in changes.items():
        if field in TIMEBANK_SETTINGS:
            continue
        if field == "name":
            value = plain_check(value, field="name", max_length=80)
        elif field == "tagline":
            value = plain_check(value, field="tagline", max_length=160, required=False)
        elif field == "description":
            value = markdown_check(value, field="description", max_length=10000)
        elif field == "visibility":
            if value not in Community.Visibility.values:
                raise InvalidInput(
                    gettext("visibility is one of public, invite_only, private."),
                    field="visibility",
                    code="invalid_visibility",
                )
        elif field == "currency":
            value = unit_check(value, field="currency", allow_hours=False)
        elif field in {"fee_percent", "customer_fee_percent"}:
            value = _percent_check(value, field=field, maximum=50)
        elif field == "treasury_share_percent":
            value = _percent_check(value, field=field, maximum=100)
        elif field == "minimum_fee":
            field = "minimum_fee_minor"
            currency = changes.get("currency", community.currency)
            value = Money.parse(
                value, currency, field="minimum_fee", allow_hours=False
            ).minor
            if value < 0:
                raise InvalidInput(
                    gettext("minimum_fee may not be negative."), field="minimum_fee"
                )
            ceiling = MAX_MINIMUM_FEE * 10 ** unit_exponent(currency)
            if value > ceiling:
                raise InvalidInput(
                    gettext("minimum_fee may be at most %(value)s.")
                    % {"value": Money(ceiling, currency)},
                    field="minimum_fee",
                    code="minimum_fee_too_high",
                )
        elif field == "enabled_modes":
            value = _modes_check(value)
        elif field == "payment_instructions":
            value = markdown_check(
                value, field="payment_instructions", max_length=2000, required=False
            )
        elif field == "membership_approval":
            value = bool(value)
        elif field in BRANDING_PAGES:
            value = markdown_check(
                value or "", field=field, max_length=BRANDING_PAGES[field]
            )
        elif field == "accent_color":
            value = accent_color_check("" if value is None else value)
        elif field == "domain":
            value = domain_check(value)
        elif field in {"logo", "cover"} and actor is not None:
            # An image the acting host uploaded (``POST /uploads``), or null.
            value = (
                upload_ids_parse([value], owner=actor, field=field, limit=1)[0]
                if value
                else None
            )
        else:
            raise InvalidInput(
                gettext("'%(field)s' is not a community setting.") % {"field": field},
                field=field,
            )
        setattr(community, field, value)


@transaction.atomic
def community_create(
    *,
    creator,
    slug: str,
    name: str,
    now: dt.datetime,
    settings: dict[str, Any] | None = None,
) -> Community:
    """Start a community; ``creator`` becomes its host. Every mode starts enabled.

    :raises InvalidInput: naming the first bad setting.
    :raises Conflict: if the slug is taken.
    """
    community = Community(
        slug=_slug_check(slug),
        created_by=creator,
        created_at=now,
        enabled_modes=list(ALL_MODES),
        member_count=1,
    )
    _apply_settings(community, {"name": name, **(settings or {})})
    if Community.objects.filter(slug=community.slug).exists():
        raise Conflict(
            gettext("The address '%(slug)s' is taken.") % {"slug": community.slug},
            code="slug_taken",
        )
    try:
        with transaction.atomic():
            community.save()
    except IntegrityError as exc:
        raise Conflict(
            gettext("The address '%(slug)s' is taken.") % {"slug": community.slug},
            code="slug_taken",
        ) from exc
    Membership.objects.create(
        community=community,
        member=creator,
        role=Membership.Role.HOST,
        status=Membership.Status.ACTIVE,
        created_at=now,
        joined_at=now,
    )
    timebank_member_join(community=community, member=creator, now=now)
    return community


def _require_host(community: Community, actor) -> Membership:
    membership = Membership.objects.filter(community=community, member=actor).first()
    if (
        membership is None
        or not membership.is_active
        or membership.role != Membership.Role.HOST
    ):
        raise NotPermitted(
            gettext("Only the community's hosts can do that."), code="host_only"
        )
    return membership


def _require_moderator(community: Community, actor) -> Membership:
    membership = Membership.objects.filter(community=community, member=actor).first()
    if membership is None or not membership.can_moderate:
        raise NotPermitted(
            gettext("Only the community's hosts and moderators can do that."),
            code="moderator_only",
        )
    return membership


@transaction.atomic
def community_update(
    *,
    community: Community,
    actor,
    changes: dict[str, Any],
    now: dt.datetime | None = None,
) -> Community:
    """Change a community's settings (hosts only).

    Time-bank limits reach every member's hours account at once (a floor that
    would put a member in breach stops at their balance); enabling the time bank
    opens an account for every member, with the starting credit.
    """
    _require_host(community, actor)
    old_domain = Community.objects.filter(pk=community.pk).values_list(
        "domain", flat=True
    )[0]
    _apply_settings(community, changes, actor=actor)
    if (
        community.domain
        and Community.objects.filter(domain=community.domain)
        .exclude(pk=community.pk)
        .exists()
    ):
        raise Conflict(
            gettext("The domain %(domain)s belongs to another community.")
            % {"domain": community.domain},
            code="domain_taken",
        )
    try:
        with transaction.atomic():
            community.save()
    except IntegrityError as exc:
        raise Conflict(
            gettext("The domain %(domain)s belongs to another community.")
            % {"domain": community.domain},
            code="domain_taken",
        ) from exc
    if old_domain != community.domain:
        transaction.on_commit(
            lambda: domain_forget(old_domain, community.domain), robust=True
        )
    if TIMEBANK_SETTINGS & set(changes):
        timebank_limits_apply(community=community, now=now or dj_timezone.now())
    # Pages of listings show its name, and who may see them follows its visibility.
    generation_bump(LISTINGS)
    return community


def _member_joined(*, community: Community, member, now: dt.datetime) -> None:
    """Count a new active member, open their time-bank account, tell integrations."""
    Community.objects.filter(pk=community.pk).update(member_count=F("member_count") + 1)
    timebank_member_join(community=community, member=member, now=now)
    event_record(
        kind="member.joined",
        subject=str(member.public_id),
        community_id=community.pk,
        now=now,
        community=community.slug,
    )


@transaction.atomic
def community_join(*, community: Community, member, now: dt.datetime) -> Membership:
    """Join ``community``, or ask to when it needs approval, or accept an invitation.

    :raises NotFound: for a private community without an invitation.
    :raises NotPermitted: for an invite-only community without an invitation.
    :raises Conflict: if already a member or already waiting.
    """
    membership = (
        Membership.objects.select_for_update()
        .filter(community=community, member=member)
        .first()
    )
    if membership is not None and membership.status == Membership.Status.INVITED:
        membership.status = Membership.Status.ACTIVE
        membership.joined_at = now
        membership.save(update_fields=["status", "joined_at"])
        _member_joined(community=community, member=member, now=now)
        return membership
    if membership is not None:
        if membership.status == Membership.Status.PENDING:
            raise Conflict(
                gettext("Your request to join is waiting for a host."),
                code="join_pending",
            )
        raise Conflict(gettext("You are already a member."), code="already_member")
    if community.visibility == Community.Visibility.PRIVATE:
        raise NotFound(
            gettext("No community '%(slug)s'.") % {"slug": community.slug},
            code="community_not_found",
        )
    if community.visibility == Community.Visibility.INVITE_ONLY:
        raise NotPermitted(
            gettext("This community is invite-only; ask a host for an invitation."),
            code="invitation_required",
        )
    status = (
        Membership.Status.PENDING
        if community.membership_approval
        else Membership.Status.ACTIVE
    )
    membership = Membership.objects.create(
        community=community,
        member=member,
        role=Membership.Role.MEMBER,
        status=status,
        created_at=now,
        joined_at=now if status == Membership.Status.ACTIVE else None,
    )
    if status == Membership.Status.ACTIVE:
        _member_joined(community=community, member=member, now=now)
    else:
        notify_many(
            members=community_moderators(community=community),
            kind=Kind.JOIN_REQUEST,
            title=interpolate_lazy(
                gettext_lazy("%(name)s asked to join %(community)s."),
                {"name": member.name, "community": community.name},
            ),
            body=gettext_lazy(
                "Approve or decline the request on the community's members page."
            ),
            link=reverse("web:community_members", kwargs={"slug": community.slug}),
            now=now,
        )
    return membership


@transaction.atomic
def membership_approve(
    *, community: Community, actor, member, now: dt.datetime
) -> Membership:
    """Approve a pending request to join (hosts and moderators)."""
    _require_moderator(community, actor)
    updated = Membership.objects.filter(
        community=community, member=member, status=Membership.Status.PENDING
    ).update(status=Membership.Status.ACTIVE, joined_at=now)
    if updated != 1:
        raise NotFound(
            gettext("No request to join from that member."), code="no_pending_request"
        )
    _member_joined(community=community, member=member, now=now)
    return Membership.objects.get(community=community, member=member)


@transaction.atomic
def membership_decline(*, community: Community, actor, member) -> None:
    """Decline a pending request to join (hosts and moderators)."""
    _require_moderator(community, actor)
    deleted, _ = Membership.objects.filter(
        community=community, member=member, status=Membership.Status.PENDING
    ).delete()
    if not deleted:
        raise NotFound(
            gettext("No request to join from that member."), code="no_pending_request"
        )


@transaction.atomic
def community_invite(
    *, community: Community, actor, member, now: dt.datetime
) -> Membership:
    """Invite ``member``; they become a member when they accept by joining."""
    _require_moderator(community, actor)
    membership = Membership.objects.filter(community=community, member=member).first()
    if membership is not None:
        if membership.status == Membership.Status.PENDING:
            return membership_approve(
                community=community, actor=actor, member=member, now=now
            )
        raise Conflict(
            gettext("%(username)s is already invited or a member.")
            % {"username": member.username},
            code="already_member",
        )
    return Membership.objects.create(
        community=community,
        member=member,
        role=Membership.Role.MEMBER,
        status=Membership.Status.INVITED,
        created_at=now,
    )


@transaction.atomic
def community_leave(*, community: Community, member) -> None:
    """Leave ``community``. The last host cannot leave: the community would be orphaned."""
    membership = (
        Membership.objects.select_for_update()
        .filter(community=community, member=member)
        .first()
    )
    if membership is None:
        raise NotFound(gettext("You are not a member."), code="not_member")
    if membership.role == Membership.Role.HOST and membership.is_active:
        hosts = Membership.objects.filter(
            community=community,
            role=Membership.Role.HOST,
            status=Membership.Status.ACTIVE,
        ).count()
        if hosts == 1:
            raise Conflict(
                gettext(
                    "You are the only host; make someone else host before you leave."
                ),
                code="last_host",
            )
    was_active = membership.is_active
    membership.delete()
    if was_active:
        Community.objects.filter(pk=community.pk).update(
            member_count=F("member_count") - 1
        )


@transaction.atomic
def membership_set_role(
    *, community: Community, actor, member, role: str
) -> Membership:
    """Make ``member`` a host, moderator or member (hosts only)."""
    _require_host(community, actor)
    if role not in Membership.Role.values:
        raise InvalidInput(
            gettext("role is one of host, moderator, member."), field="role"
        )
    membership = Membership.objects.filter(
        community=community, member=member, status=Membership.Status.ACTIVE
    ).first()
    if membership is None:
        raise NotFound(
            gettext("%(username)s is not a member.") % {"username": member.username},
            code="not_member",
        )
    if membership.role == Membership.Role.HOST and role != Membership.Role.HOST:
        hosts = Membership.objects.filter(
            community=community,
            role=Membership.Role.HOST,
            status=Membership.Status.ACTIVE,
        ).count()
        if hosts == 1:
            raise Conflict(
                gettext("A community needs at least one host."), code="last_host"
            )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def category_create(*, community: Community, actor, slug: str, name: str) -> Category:
    """Add a category (hosts only)."""
    _require_host(community, actor)
    slug = _slug_check(slug)
    name = plain_check(name, field="name", max_length=80)
    count = Category.objects.filter(community=community).count()
    if count >= MAX_CATEGORIES:
        raise InvalidInput(
            gettext("A community has at most %(MAX_CATEGORIES)s categories.")
            % {"MAX_CATEGORIES": MAX_CATEGORIES}
        )
    if Category.objects.filter(community=community, slug=slug).exists():
        raise Conflict(
            gettext("The category '%(slug)s' exists.") % {"slug": slug},
            code="category_exists",
        )
    return Category.objects.create(
        community=community, slug=slug, name=name, position=count
    )


@transaction.atomic
def category_delete(*, community: Community, actor, slug: str) -> None:
    """Remove a category (hosts only); its listings keep existing, uncategorised."""
    _require_host(community, actor)
    if not Category.objects.filter(community=community, slug=slug).delete()[0]:
        raise NotFound(gettext("No category '%(slug)s'.") % {"slug": slug[:50]})
    generation_bump(LISTINGS)


@transaction.atomic
def listing_field_create(
    *,
    community: Community,
    actor,
    key: str,
    label: str,
    kind: str,
    choices: list[str] | None = None,
    required: bool = False,
) -> ListingField:
    """Add a custom listing field (hosts only); it becomes a search filter."""
    _require_host(community, actor)
    if not isinstance(key, str) or not KEY.match(key):
        raise InvalidInput(
            gettext(
                "key is 1 to 40 lower-case letters, digits or '_', starting "
                "with a letter."
            ),
            field="key",
        )
    label = plain_check(label, field="label", max_length=80)
    if kind not in ListingField.Kind.values:
        raise InvalidInput(
            gettext("kind is one of text, number, choice, boolean."), field="kind"
        )
    clean_choices: list[str] = []
    if kind == ListingField.Kind.CHOICE:
        if not isinstance(choices, list) or not 1 <= len(choices) <= 50:
            raise InvalidInput(
                gettext("A choice field needs 1 to 50 choices."), field="choices"
            )
        clean_choices = [
            plain_check(c, field="choices", max_length=60) for c in choices
        ]
        if len(set(clean_choices)) != len(clean_choices):
            raise InvalidInput(
                gettext("choices must be different from each other."), field="choices"
            )
    count = ListingField.objects.filter(community=community).count()
    if count >= MAX_LISTING_FIELDS:
        raise InvalidInput(
            gettext("A community has at most %(MAX_LISTING_FIELDS)s listing fields.")
            % {"MAX_LISTING_FIELDS": MAX_LISTING_FIELDS}
        )
    if ListingField.objects.filter(community=community, key=key).exists():
        raise Conflict(
            gettext("The field '%(key)s' exists.") % {"key": key},
            code="listing_field_exists",
        )
    return ListingField.objects.create(
        community=community,
        key=key,
        label=label,
        kind=kind,
        choices=clean_choices,
        required=bool(required),
        position=count,
    )


@transaction.atomic
def listing_field_delete(*, community: Community, actor, key: str) -> None:
    """Remove a custom listing field (hosts only)."""
    _require_host(community, actor)
    if not ListingField.objects.filter(community=community, key=key).delete()[0]:
        raise NotFound(gettext("No listing field '%(key)s'.") % {"key": key[:40]})
