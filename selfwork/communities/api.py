"""API: communities, membership, categories and custom listing fields."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from selfwork.accounts.selectors import member_get
from selfwork.communities import selectors, services
from selfwork.communities.models import (
    ALL_MODES,
    Community,
    ListingField,
    Membership,
)
from selfwork.communities.services import (
    KEY,
    MAX_MINIMUM_FEE,
    RESERVED_SLUGS,
    SLUG,
)
from selfwork.communities.timebank import TimebankHealth, timebank_health
from selfwork.core.api import (
    PROBLEMS,
    BodyIn,
    Cursor,
    Instant,
    MoneyOut,
    PublicId,
    QueryIn,
    caller,
    documented,
    documented_not_null,
    member_auth,
    now,
)
from selfwork.core.errors import NotPermitted
from selfwork.core.money import HOUR, Money
from selfwork.core.openapi import (
    UPLOAD_ID,
    amount_pattern,
    markdown,
    percent_pattern,
    plain,
    ref,
)
from selfwork.core.pagination import offset_page

router = Router(tags=["communities"])


class CategoryOut(Schema):
    slug: str
    name: str


class ListingFieldOut(Schema):
    key: str
    label: str
    kind: str
    choices: list[str]
    required: bool


class TimebankOut(Schema):
    enabled: bool
    starting_credit: MoneyOut = Field(
        description="Hours issued to each member once, on joining."
    )
    floor: MoneyOut = Field(description="How far into debt a member may go.")
    ceiling: MoneyOut = Field(description="The most a member may hold.")


def _hours(schema: dict[str, Any]) -> None:
    schema.clear()
    schema.update(ref("Hours"))


class HoursIn(BodyIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_hours)

    amount: str = Field(max_length=40, description='A decimal string, e.g. "1.50".')
    currency: str = Field(max_length=10, description='"HOUR"')


class CommunityOut(Schema):
    id: PublicId
    slug: str
    name: str
    tagline: str
    description: str
    visibility: str
    currency: str
    fee_percent: str
    customer_fee_percent: str
    minimum_fee: MoneyOut
    treasury_share_percent: str
    enabled_modes: list[str]
    membership_approval: bool
    payment_instructions: str = Field(
        "", description="How to pay a host by hand, where payments are by hand."
    )
    timebank: TimebankOut
    logo: str | None = Field(None, description="The URL of the logo image.")
    cover: str | None = Field(None, description="The URL of the cover image.")
    accent_color: str = Field(
        "", description='The accent colour, "#rrggbb", or "" for the default.'
    )
    about: str = Field("", description="The community's about page (Markdown).")
    rules: str = Field("", description="The community's rules (Markdown).")
    contact: str = Field("", description="How to reach the hosts (Markdown).")
    domain: str | None = Field(
        None, description="The community's own host name, if it has one."
    )
    member_count: int
    created_at: Instant
    my_role: str | None = None
    my_status: str | None = None


class CommunityDetailOut(CommunityOut):
    categories: list[CategoryOut]
    listing_fields: list[ListingFieldOut]


class CommunityPage(Schema):
    items: list[CommunityOut]
    next: str | None


def _percent(value: Decimal | int) -> str:
    # Always two decimals, so a freshly created community reads like a stored one.
    return f"{Decimal(value):.2f}"


def community_out(
    community: Community, membership: Membership | None = None
) -> dict[str, Any]:
    return {
        "id": str(community.public_id),
        "slug": community.slug,
        "name": community.name,
        "tagline": community.tagline,
        "description": community.description,
        "visibility": community.visibility,
        "currency": community.currency,
        "fee_percent": _percent(community.fee_percent),
        "customer_fee_percent": _percent(community.customer_fee_percent),
        "minimum_fee": Money(community.minimum_fee_minor, community.currency).as_dict(),
        "treasury_share_percent": _percent(community.treasury_share_percent),
        "enabled_modes": community.enabled_modes,
        "membership_approval": community.membership_approval,
        "payment_instructions": community.payment_instructions,
        "timebank": {
            "enabled": community.timebank_enabled,
            "starting_credit": Money(community.timebank_starting_minor, HOUR).as_dict(),
            "floor": Money(community.timebank_floor_minor, HOUR).as_dict(),
            "ceiling": Money(community.timebank_ceiling_minor, HOUR).as_dict(),
        },
        "logo": community.logo.url if community.logo else None,
        "cover": community.cover.url if community.cover else None,
        "accent_color": community.accent_color,
        "about": community.about,
        "rules": community.rules,
        "contact": community.contact,
        "domain": community.domain,
        "member_count": community.member_count,
        "created_at": community.created_at.isoformat(),
        "my_role": membership.role if membership else None,
        "my_status": membership.status if membership else None,
    }


def community_detail_out(community: Community, viewer) -> dict[str, Any]:
    data = community_out(
        community, selectors.membership_get(community=community, member=viewer)
    )
    data["categories"] = [
        {"slug": c.slug, "name": c.name}
        for c in selectors.categories_of(community=community)
    ]
    data["listing_fields"] = [
        {
            "key": f.key,
            "label": f.label,
            "kind": f.kind,
            "choices": f.choices,
            "required": f.required,
        }
        for f in selectors.listing_fields_of(community=community)
    ]
    return data


VISIBILITIES = documented(enum=list(Community.Visibility.values))
NAME = plain(max_length=80)
DESCRIPTION = markdown(max_length=10000)
TAGLINE = plain(max_length=160, required=False)
FEE_PERCENT = documented(pattern=percent_pattern(50))
SHARE_PERCENT = documented(pattern=percent_pattern(100))
MODES = {"minItems": 1, "items": {"type": "string", "enum": list(ALL_MODES)}}
MINIMUM_FEE = (
    "In the community's currency, with at most as many decimals as it has (JPY "
    "none, EUR two, BHD three; more is refused with too_precise); from 0 to "
    f"{MAX_MINIMUM_FEE}."
)


# Up to three decimals, the most any currency has. How many the community's
# currency allows is checked by the service (too_precise): a document that said it
# per currency was a union of near-identical request bodies, which generated
# clients made into one class per number of decimals.
MINIMUM_FEE_PATTERN = amount_pattern(
    3, sign="not_negative", most=MAX_MINIMUM_FEE * 1000
)


class CommunityIn(BodyIn):
    name: str = Field(max_length=500, json_schema_extra=documented(**NAME))
    slug: str = Field(
        max_length=100,
        json_schema_extra=documented(
            pattern=SLUG.pattern, **{"not": {"enum": sorted(RESERVED_SLUGS)}}
        ),
    )
    description: str = Field("", max_length=20000, json_schema_extra=DESCRIPTION)
    tagline: str = Field("", max_length=500, json_schema_extra=TAGLINE)
    currency: str = Field(
        "EUR", max_length=10, json_schema_extra=documented(**ref("Currency"))
    )
    fee_percent: str = Field("0", max_length=20, json_schema_extra=FEE_PERCENT)
    customer_fee_percent: str = Field("0", max_length=20, json_schema_extra=FEE_PERCENT)
    minimum_fee: str = Field(
        "0",
        max_length=40,
        description=MINIMUM_FEE,
        json_schema_extra=documented(pattern=MINIMUM_FEE_PATTERN),
    )
    treasury_share_percent: str = Field(
        "0", max_length=20, json_schema_extra=SHARE_PERCENT
    )
    visibility: str = Field("public", max_length=20, json_schema_extra=VISIBILITIES)
    enabled_modes: list[str] | None = Field(
        None,
        max_length=20,
        description="Every mode when left out or null.",
        json_schema_extra=documented(**MODES),
    )
    membership_approval: bool = False


def _not_null(**keywords: Any) -> Any:
    return documented_not_null(**keywords)


HOURS = (
    'Hours: {"amount": "1.50", "currency": "HOUR"}. The starting credit is 0 or '
    "more (at most the ceiling); the floor 0 or less, down to -1000.00; the "
    "ceiling from 1.00 to 10000.00."
)


IMAGE_CHANGE = documented(anyOf=[UPLOAD_ID, {"const": ""}, {"type": "null"}])
ACCENT = (
    'A colour "#rrggbb" (or "" or null for the default) that reads at 4.5:1 or '
    "better (WCAG 2.2 AA) on the page background (#fbf7f1) and under white text; "
    "a paler one is refused with low_contrast and the ratio it has."
)
DOMAIN = (
    'The community\'s own host name, e.g. market.example.org (or "" or null to '
    "detach it): stored lower-case, unique across communities. Point it at the "
    "server with DNS and give the proxy a certificate for it."
)


ACCENT_PATTERN = "^\\s*(?:#[0-9A-Fa-f]{6})?\\s*$"
# What branding.domain_check accepts, before it lower-cases and drops a final dot:
# labels of letters, digits and "-" (not at either end), 4 to 253 characters in
# all, the last label not all digits.
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN_PATTERN = (
    "^\\s*(?:(?=[A-Za-z0-9.-]{3,252}[A-Za-z0-9]\\.?\\s*$)"
    f"(?:{_LABEL}\\.)+(?![0-9]+\\.?\\s*$){_LABEL}\\.?)?\\s*$"
)


class CommunityUpdateIn(BodyIn):
    name: str | None = Field(None, max_length=500, json_schema_extra=_not_null(**NAME))
    description: str | None = Field(
        None, max_length=20000, json_schema_extra=_not_null(**DESCRIPTION)
    )
    tagline: str | None = Field(
        None, max_length=500, json_schema_extra=_not_null(**TAGLINE)
    )
    currency: str | None = Field(
        None, max_length=10, json_schema_extra=_not_null(**ref("Currency"))
    )
    fee_percent: str | None = Field(
        None, max_length=20, json_schema_extra=_not_null(**FEE_PERCENT)
    )
    customer_fee_percent: str | None = Field(
        None, max_length=20, json_schema_extra=_not_null(**FEE_PERCENT)
    )
    minimum_fee: str | None = Field(
        None,
        max_length=40,
        description=MINIMUM_FEE,
        json_schema_extra=_not_null(pattern=MINIMUM_FEE_PATTERN),
    )
    treasury_share_percent: str | None = Field(
        None, max_length=20, json_schema_extra=_not_null(**SHARE_PERCENT)
    )
    visibility: str | None = Field(
        None, max_length=20, json_schema_extra=_not_null(**VISIBILITIES)
    )
    enabled_modes: list[str] | None = Field(
        None, max_length=20, json_schema_extra=_not_null(**MODES)
    )
    membership_approval: bool | None = Field(
        None, description="null is false.", json_schema_extra=None
    )
    payment_instructions: str | None = Field(
        None,
        max_length=2000,
        json_schema_extra=_not_null(**markdown(max_length=2000)),
    )
    timebank_enabled: bool | None = Field(
        None,
        description="Members hold hours here, an hour for an hour.",
        json_schema_extra=_not_null(),
    )
    timebank_starting_credit: HoursIn | None = Field(
        None,
        description="Hours issued once to each member on joining (0 or more).",
        json_schema_extra=_not_null(description=HOURS),
    )
    timebank_floor: HoursIn | None = Field(
        None,
        description='How far into debt a member may go, e.g. "-20.00".',
        json_schema_extra=_not_null(description=HOURS),
    )
    timebank_ceiling: HoursIn | None = Field(
        None,
        description="The most hours a member may hold (more than 0).",
        json_schema_extra=_not_null(description=HOURS),
    )
    logo: str | None = Field(
        None,
        max_length=64,
        description="An image id from POST /api/v1/uploads, or null or empty to remove it.",
        json_schema_extra=IMAGE_CHANGE,
    )
    cover: str | None = Field(
        None,
        max_length=64,
        description="An image id from POST /api/v1/uploads, or null or empty to remove it.",
        json_schema_extra=IMAGE_CHANGE,
    )
    accent_color: str | None = Field(
        None,
        max_length=20,
        description=ACCENT,
        json_schema_extra=documented(
            anyOf=[
                {"type": "string", "maxLength": 20, "pattern": ACCENT_PATTERN},
                {"type": "null"},
            ]
        ),
    )
    about: str | None = Field(
        None,
        max_length=20000,
        json_schema_extra=_not_null(**markdown(max_length=10000)),
    )
    rules: str | None = Field(
        None,
        max_length=20000,
        json_schema_extra=_not_null(**markdown(max_length=10000)),
    )
    contact: str | None = Field(
        None,
        max_length=4000,
        json_schema_extra=_not_null(**markdown(max_length=2000)),
    )
    domain: str | None = Field(
        None,
        max_length=300,
        description=DOMAIN,
        json_schema_extra=documented(
            anyOf=[
                {"type": "string", "pattern": DOMAIN_PATTERN},
                {"type": "null"},
            ]
        ),
    )


class MembershipOut(Schema):
    username: str
    display_name: str
    role: str
    status: str
    joined_at: Instant | None


class MemberPage(Schema):
    items: list[MembershipOut]
    next: str | None


class PageQuery(QueryIn):
    limit: int = Field(50, ge=1, le=100)
    cursor: Cursor = None


def membership_out(m: Membership) -> dict[str, Any]:
    return {
        "username": m.member.username,
        "display_name": m.member.name,
        "role": m.role,
        "status": m.status,
        "joined_at": m.joined_at.isoformat() if m.joined_at else None,
    }


@router.get("", response={200: CommunityPage, **PROBLEMS})
def communities(request: HttpRequest, page: Query[PageQuery]):
    rows, cursor = offset_page(
        selectors.communities_list(viewer=request.user),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [community_out(c) for c in rows], "next": cursor}


@router.post("", response={201: CommunityDetailOut, **PROBLEMS}, auth=member_auth)
def community_create(request: HttpRequest, payload: CommunityIn):
    data = payload.model_dump()
    community = services.community_create(
        creator=request.user,
        slug=data.pop("slug"),
        name=data.pop("name"),
        now=now(),
        settings={k: v for k, v in data.items() if v is not None},
    )
    return Status(201, community_detail_out(community, request.user))


@router.get("/{slug}", response={200: CommunityDetailOut, **PROBLEMS})
def community_read(request: HttpRequest, slug: str):
    community = selectors.community_get(slug=slug, viewer=request.user)
    return community_detail_out(community, request.user)


@router.patch(
    "/{slug}", response={200: CommunityDetailOut, **PROBLEMS}, auth=member_auth
)
def community_update(request: HttpRequest, slug: str, payload: CommunityUpdateIn):
    community = selectors.community_get(slug=slug, viewer=request.user)
    services.community_update(
        community=community,
        actor=request.user,
        changes=payload.model_dump(exclude_unset=True),
        now=now(),
    )
    return community_detail_out(community, request.user)


@router.post(
    "/{slug}/join", response={200: MembershipOut, **PROBLEMS}, auth=member_auth
)
def community_join(request: HttpRequest, slug: str):
    community = selectors.community_get(slug=slug, viewer=request.user)
    membership = services.community_join(
        community=community, member=request.user, now=now()
    )
    membership.member = caller(request)
    return membership_out(membership)


@router.post("/{slug}/leave", response={204: None, **PROBLEMS}, auth=member_auth)
def community_leave(request: HttpRequest, slug: str):
    community = selectors.community_get(slug=slug, viewer=request.user)
    services.community_leave(community=community, member=request.user)
    return Status(204, None)


class MemberStatusQuery(PageQuery):
    status: str = Field("active", pattern="^(active|pending|invited)$")


@router.get("/{slug}/members", response={200: MemberPage, **PROBLEMS})
def community_members(request: HttpRequest, slug: str, page: Query[MemberStatusQuery]):
    community = selectors.community_get(slug=slug, viewer=request.user)
    if page.status != "active":
        membership = selectors.membership_get(community=community, member=request.user)
        if membership is None or not membership.can_moderate:
            raise NotPermitted(
                gettext("Only hosts and moderators see pending and invited members."),
                code="moderator_only",
            )
    rows, cursor = offset_page(
        selectors.community_members(community=community, status=page.status),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [membership_out(m) for m in rows], "next": cursor}


class UsernameIn(BodyIn):
    username: str = Field(max_length=200)


class RoleIn(UsernameIn):
    role: str = Field(
        max_length=20,
        json_schema_extra=documented(enum=list(Membership.Role.values)),
    )


@router.post(
    "/{slug}/invitations", response={201: MembershipOut, **PROBLEMS}, auth=member_auth
)
def community_invite(request: HttpRequest, slug: str, payload: UsernameIn):
    community = selectors.community_get(slug=slug, viewer=request.user)
    member = member_get(username=payload.username)
    membership = services.community_invite(
        community=community, actor=request.user, member=member, now=now()
    )
    return Status(201, membership_out(membership))


@router.post(
    "/{slug}/approvals", response={200: MembershipOut, **PROBLEMS}, auth=member_auth
)
def community_approve(request: HttpRequest, slug: str, payload: UsernameIn):
    community = selectors.community_get(slug=slug, viewer=request.user)
    member = member_get(username=payload.username)
    membership = services.membership_approve(
        community=community, actor=request.user, member=member, now=now()
    )
    return membership_out(membership)


@router.post(
    "/{slug}/roles", response={200: MembershipOut, **PROBLEMS}, auth=member_auth
)
def community_set_role(request: HttpRequest, slug: str, payload: RoleIn):
    community = selectors.community_get(slug=slug, viewer=request.user)
    member = member_get(username=payload.username)
    membership = services.membership_set_role(
        community=community, actor=request.user, member=member, role=payload.role
    )
    return membership_out(membership)


class CategoryIn(BodyIn):
    slug: str = Field(
        max_length=100, json_schema_extra=documented(pattern=SLUG.pattern)
    )
    name: str = Field(
        max_length=500, json_schema_extra=documented(min_length=1, max_length=80)
    )


@router.post(
    "/{slug}/categories", response={201: CategoryOut, **PROBLEMS}, auth=member_auth
)
def category_create(request: HttpRequest, slug: str, payload: CategoryIn):
    community = selectors.community_get(slug=slug, viewer=request.user)
    category = services.category_create(
        community=community, actor=request.user, slug=payload.slug, name=payload.name
    )
    return Status(201, {"slug": category.slug, "name": category.name})


class ListingFieldIn(BodyIn):
    key: str = Field(max_length=100, json_schema_extra=documented(pattern=KEY.pattern))
    label: str = Field(max_length=500)
    kind: str = Field(
        max_length=20,
        json_schema_extra=documented(enum=list(ListingField.Kind.values)),
    )
    choices: list[str] = Field(default_factory=list, max_length=100)
    required: bool = False


@router.post(
    "/{slug}/listing-fields",
    response={201: ListingFieldOut, **PROBLEMS},
    auth=member_auth,
)
def listing_field_create(request: HttpRequest, slug: str, payload: ListingFieldIn):
    community = selectors.community_get(slug=slug, viewer=request.user)
    f = services.listing_field_create(
        community=community, actor=request.user, **payload.model_dump()
    )
    return Status(
        201,
        {
            "key": f.key,
            "label": f.label,
            "kind": f.kind,
            "choices": f.choices,
            "required": f.required,
        },
    )


class MemberHoursOut(Schema):
    username: str
    display_name: str
    hours: MoneyOut


class GiverOut(Schema):
    username: str
    display_name: str
    given: MoneyOut
    exchanges: int


class TimebankHealthOut(Schema):
    community: str
    enabled: bool
    accounts: int = Field(description="Members holding an hours account here.")
    in_circulation: MoneyOut = Field(description="The sum of every positive balance.")
    owed: MoneyOut = Field(description="The sum of every negative balance.")
    issued: MoneyOut = Field(description="Starting credits issued so far.")
    below_zero: int = Field(description="How many members owe hours.")
    below_zero_members: list[MemberHoursOut] = Field(
        description="The members deepest in debt (at most five)."
    )
    most_active_givers: list[GiverOut] = Field(
        description="The members who gave the most hours (at most five)."
    )


@router.get(
    "/{slug}/timebank",
    response={200: TimebankHealthOut, **PROBLEMS},
    auth=member_auth,
)
def community_timebank(request: HttpRequest, slug: str):
    """The time bank's health, for the community's hosts."""
    community = selectors.community_get(slug=slug, viewer=request.user)
    selectors.host_required(community=community, member=request.user)
    return timebank_health_out(timebank_health(community=community))


def timebank_health_out(health: TimebankHealth) -> dict[str, Any]:
    return {
        "community": health.community.slug,
        "enabled": health.community.timebank_enabled,
        "accounts": health.accounts,
        "in_circulation": health.in_circulation.as_dict(),
        "owed": health.owed.as_dict(),
        "issued": health.issued.as_dict(),
        "below_zero": health.below_zero,
        "below_zero_members": [
            {
                "username": member.username,
                "display_name": member.name,
                "hours": hours.as_dict(),
            }
            for member, hours in health.below_zero_members
        ],
        "most_active_givers": [
            {
                "username": giver.member.username,
                "display_name": giver.member.name,
                "given": giver.given.as_dict(),
                "exchanges": giver.exchanges,
            }
            for giver in health.givers
        ],
    }
