"""Hostile text in every field a member writes, rendered in Chromium: nothing runs.

Each payload, if it ever executed, would call ``__xss(n)`` (or ``alert(n)``).
Playwright binds ``__xss`` in every page before any script of it runs and
records each call and each dialog. The payloads go in through the services the
API and the forms use; what their validators refuse is, in a second pass,
written straight into the rows (as data older than the validators would be), so
the templates' own escaping and the Markdown allow-list are tested too.
"""

import os

import pytest
from django.test import Client

from selfwork.core.errors import InvalidInput
from selfwork.core.text import markdown_check, plain_check

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

# The live server runs in a thread of this process, beside Playwright's loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_PAYLOADS = [
    "<script>__xss({n})</script>",
    "<ScRiPt>__xss({n})</sCrIpT>",
    "<script src=data:,__xss({n})></script>",
    "<img src=x onerror=__xss({n})>",
    '<img src=x onerror="__xss({n})">',
    "<svg onload=__xss({n})>",
    "<svg><script>__xss({n})</script></svg>",
    "<svg><animate onbegin=__xss({n}) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>",
    "<body onload=__xss({n})>",
    '<iframe srcdoc="<script>parent.__xss({n})</script>"></iframe>',
    "<iframe src=javascript:__xss({n})></iframe>",
    "<details open ontoggle=__xss({n})>",
    "<input autofocus onfocus=__xss({n})>",
    "<video><source onerror=__xss({n})></video>",
    "<object data=javascript:__xss({n})></object>",
    "<embed src=javascript:__xss({n})>",
    "<a href=javascript:__xss({n})>x</a>",
    "<form><button formaction=javascript:__xss({n})>x</button></form>",
    "<meta http-equiv=refresh content='0;url=javascript:__xss({n})'>",
    "<style>@import 'javascript:__xss({n})';</style>",
    '"><img src=x onerror=__xss({n})>',
    "'><img src=x onerror=__xss({n})>",
    '" autofocus onfocus="__xss({n})',
    "' autofocus onfocus='__xss({n})",
    "</textarea><img src=x onerror=__xss({n})>",
    "</title><img src=x onerror=__xss({n})>",
    "</script><img src=x onerror=__xss({n})>",
    "';__xss({n});//",
    '";__xss({n});//',
    "${{__xss({n})}}",
    "{{{{constructor.constructor('__xss({n})')()}}}}",
    "{{% if 1 %}}{{{{ request }}}}{{% endif %}}<b onclick=__xss({n})>",
    "[click](javascript:__xss({n}))",
    "[click](JaVaScRiPt:__xss({n}))",
    "[click](jav&#x61;script:__xss({n}))",
    "[click](&#106;avascript:__xss({n}))",
    "[click](java\tscript:__xss({n}))",
    "[click](data:text/html;base64,PHNjcmlwdD5fX3hzcygpPC9zY3JpcHQ+)",
    '![img](x"onerror="__xss({n}))',
    "![img](javascript:__xss({n}))",
    '[x](https://example.org"onmouseover="__xss({n}))',
    '<a href="&#x6a;avascript:__xss({n})">x</a>',
    "\u003cimg src=x onerror=__xss({n})\u003e",
    "＜img src=x onerror=__xss({n})＞",
    "%3Cscript%3E__xss({n})%3C/script%3E",
    "&lt;script&gt;__xss({n})&lt;/script&gt;",
    '<!--<img src="--><img src=x onerror=__xss({n})//">',
    '<noscript><p title="</noscript><img src=x onerror=__xss({n})>">',
    "javascript:__xss({n})",
    '<div hx-get="/" hx-trigger=load hx-on::after-request="__xss({n})">',
    "<div hx-on:click=__xss({n}) id=xss{n}>x</div>",
    "<a onmouseover=alert({n})>x</a><img src=x onerror=alert({n})>",
]
# Numbered from 1, so that a hit names its payload.
PAYLOADS = [p.format(n=n) for n, p in enumerate(_PAYLOADS, start=1)]


def _accepted(check, payloads, **limits) -> list[str]:
    kept = []
    for payload in payloads:
        try:
            check(payload, field="x", **limits)
        except InvalidInput:
            continue
        kept.append(payload)
    return kept


MARKDOWN = "\n\n".join(_accepted(markdown_check, PAYLOADS, max_length=4000))
PLAIN = _accepted(plain_check, PAYLOADS, max_length=60)
EVERYTHING = "\n\n".join(PAYLOADS)


def _plain(n: int) -> str:
    """The n-th payload a plain-text field accepts (they take turns)."""
    return PLAIN[n % len(PLAIN)]


@pytest.fixture
def market(make_member, now):
    """A market whose every member-written field holds hostile text."""
    from selfwork.accounts.services import member_update
    from selfwork.briefs import services as briefs
    from selfwork.catalog.models import Listing
    from selfwork.catalog.services import listing_create
    from selfwork.communities.models import Community
    from selfwork.communities.services import (
        category_create,
        community_create,
        community_join,
        listing_field_create,
    )
    from selfwork.exchanges import services as exchanges
    from selfwork.exchanges.models import Message
    from selfwork.payments.gateways import CARD_SUCCEEDS

    maker = make_member("maker", is_staff=True)
    buyer = make_member("buyer")
    member_update(
        member=maker,
        changes={"display_name": _plain(0), "bio": MARKDOWN, "city": _plain(1)},
    )
    member_update(member=buyer, changes={"display_name": _plain(2), "bio": MARKDOWN})
    community = community_create(
        creator=maker,
        slug="hostile",
        name=_plain(3),
        now=now,
        settings={"tagline": _plain(4), "description": MARKDOWN, "currency": "EUR"},
    )
    community_join(community=community, member=buyer, now=now)
    category_create(community=community, actor=maker, slug="cat", name=_plain(5))
    listing_field_create(
        community=community,
        actor=maker,
        key="style",
        label=_plain(6),
        kind="choice",
        choices=[_plain(7), _plain(8)],
    )
    listings = []
    for n, title in enumerate(PLAIN):
        listings.append(
            listing_create(
                owner=maker,
                community=community,
                title=title,
                description=MARKDOWN,
                modes=[
                    {
                        "mode": "made_to_order",
                        "price": {"amount": "10.00", "currency": "EUR"},
                        "options": [
                            {
                                "name": _plain(n + 1),
                                "choices": [{"label": _plain(n + 2)}],
                            }
                        ],
                        "personalisation": [{"prompt": _plain(n + 3)}],
                    },
                    {
                        "mode": "service",
                        "packages": [
                            {
                                "name": _plain(n + 4),
                                "description": _plain(n + 5),
                                "price": {"amount": "40.00", "currency": "EUR"},
                                "delivery_days": 3,
                                "revisions": 1,
                            }
                        ],
                    },
                ],
                now=now,
            )
        )
    brief = briefs.brief_create(
        author=buyer,
        community=community,
        title=_plain(9),
        description=MARKDOWN,
        budget_min={"amount": "10.00", "currency": "EUR"},
        budget_max={"amount": "90.00", "currency": "EUR"},
        now=now,
    )
    offer = briefs.offer_create(
        brief=brief,
        provider=maker,
        price={"amount": "50.00", "currency": "EUR"},
        delivery_days=4,
        message=MARKDOWN,
        now=now,
    )
    briefs.offer_counter(
        offer=offer,
        customer=buyer,
        price={"amount": "40.00", "currency": "EUR"},
        delivery_days=None,
        message=MARKDOWN,
        now=now,
    )
    listing = listings[0]
    package = str(listing.modes.get(mode="service").packages.get().public_id)
    exchange = exchanges.exchange_order(
        listing=listing,
        customer=buyer,
        mode="service",
        package=package,
        requirements=MARKDOWN,
        now=now,
    )

    def move(actor, name, **params):
        exchanges.exchange_transition(
            exchange=exchange, actor=actor, name=name, params=params, now=now
        )

    move(buyer, "pay", card=CARD_SUCCEEDS)
    exchanges.message_post(exchange=exchange, author=buyer, body=MARKDOWN, now=now)
    move(maker, "deliver", note=MARKDOWN[:4000])
    move(buyer, "dispute", reason=MARKDOWN[:1000])

    # Two commissions ended and reviewed both ways; the buyer's review of the first
    # is answered, the buyer's review of the second is hidden by a host.
    from selfwork.exchanges.models import Review

    reviewed = []
    for listing_n in (1, 2):
        shop = listings[listing_n]
        ordered = exchanges.exchange_order(
            listing=shop,
            customer=buyer,
            mode="service",
            package=str(shop.modes.get(mode="service").packages.get().public_id),
            now=now,
        )
        for actor, name, params in [
            (buyer, "pay", {"card": CARD_SUCCEEDS}),
            (maker, "deliver", {"note": "Done."}),
            (buyer, "accept", {}),
        ]:
            ordered = exchanges.exchange_transition(
                exchange=ordered, actor=actor, name=name, params=params, now=now
            )
        for author in (buyer, maker):
            exchanges.review_submit(
                exchange=ordered,
                author=author,
                review=exchanges.ReviewIn(rating=3, text=MARKDOWN[:5000]),
                now=now,
            )
        reviewed.append(ordered)
    answered = Review.objects.get(exchange=reviewed[0], author=buyer)
    exchanges.review_reply(review=answered, member=maker, text=MARKDOWN[:5000], now=now)
    Review.objects.filter(exchange=reviewed[1], author=buyer).update(
        hidden_at=now, hidden_reason=EVERYTHING[:1000]
    )

    from selfwork.boards import services as boards
    from selfwork.boards.models import Post, Reply

    posts = [
        boards.post_create(
            community=community,
            author=buyer,
            kind=kind,
            title=_plain(10 + n),
            body=MARKDOWN,
            now=now,
        )
        for n, kind in enumerate(["question", "idea", "offer", "want"])
    ]
    question = posts[0]
    answer = boards.reply_create(post=question, author=maker, body=MARKDOWN, now=now)
    boards.post_accept(post=question, author=buyer, reply=answer, now=now)
    boards.reply_create(post=question, author=buyer, body=MARKDOWN, now=now)
    removed = boards.reply_create(post=question, author=buyer, body="Bye", now=now)
    boards.reply_remove(reply=removed, actor=maker, reason=_plain(14), now=now)
    boards.post_hide(post=posts[1], actor=maker, reason=_plain(15), now=now)

    from selfwork.conversations import services as conversations
    from selfwork.conversations.models import Message as ConversationMessage

    talk = conversations.conversation_start(
        sender=buyer,
        to=maker.username,
        listing=str(listings[-1].public_id),
        body=MARKDOWN,
        now=now,
    ).conversation
    conversations.message_send(conversation=talk, sender=maker, body=MARKDOWN, now=now)
    raw_talk = conversations.conversation_start(
        sender=buyer, to=maker.username, body="Hello", now=now
    ).conversation

    # What the validators refused, as rows older than the validators would hold it.
    ConversationMessage.objects.filter(conversation=raw_talk).update(body=EVERYTHING)
    Post.objects.filter(pk=posts[2].pk).update(title=PAYLOADS[0], body=EVERYTHING)
    Reply.objects.filter(post=question).exclude(pk=removed.pk).update(body=EVERYTHING)
    Community.objects.filter(pk=community.pk).update(description=EVERYTHING)
    Listing.objects.filter(pk=listings[-1].pk).update(
        title=PAYLOADS[0], description=EVERYTHING
    )
    type(maker).objects.filter(pk=buyer.pk).update(bio=EVERYTHING)
    Message.objects.filter(exchange=exchange).update(body=EVERYTHING)
    Review.objects.filter(exchange=reviewed[0]).update(text=EVERYTHING)
    Review.objects.filter(pk=answered.pk).update(reply=EVERYTHING)
    return {
        "maker": maker,
        "buyer": buyer,
        "community": community,
        "listings": listings,
        "brief": brief,
        "exchange": exchange,
        "reviewed": reviewed,
        "posts": posts,
        "conversations": [talk, raw_talk],
    }


def _pages(market) -> dict[str, list[str]]:
    """Every page type that shows member text, by who looks at it."""
    c = market["community"].slug
    listing = market["listings"][0].public_id
    raw_listing = market["listings"][-1].public_id
    brief = market["brief"].public_id
    exchange = market["exchange"].public_id
    answered, hidden_review = (e.public_id for e in market["reviewed"])
    question, hidden, raw = (market["posts"][i].public_id for i in (0, 1, 2))
    talk, raw_talk = (t.public_id for t in market["conversations"])
    shared = [
        "/",
        "/search/?q=img",
        "/communities/",
        f"/c/{c}/",
        f"/c/{c}/members/",
        f"/c/{c}/briefs/",
        "/briefs/",
        f"/listings/{listing}/",
        f"/listings/{raw_listing}/",
        f"/briefs/{brief}/",
        "/m/maker/",
        "/m/buyer/",
        f"/c/{c}/board/",
        f"/c/{c}/board/{question}/",
        f"/c/{c}/board/{raw}/",
        f"/c/{c}/board/?q=img",
    ]
    return {
        "": shared,
        "buyer": [
            f"/listings/{listing}/order/",
            f"/briefs/{brief}/",
            f"/exchanges/{exchange}/",
            f"/exchanges/{answered}/",
            f"/exchanges/{hidden_review}/",
            "/exchanges/",
            "/dashboard/",
            "/settings/profile/",
            f"/c/{c}/board/",
            f"/c/{c}/board/{question}/",
            f"/c/{c}/board/{hidden}/",
            "/messages/",
            f"/messages/{talk}/",
            f"/messages/{raw_talk}/",
            f"/messages/new/?to=maker&listing={listing}",
            "/messages/unread/",
        ],
        "maker": [
            f"/exchanges/{exchange}/",
            f"/exchanges/{exchange}/messages/",
            f"/exchanges/{answered}/",
            f"/exchanges/{hidden_review}/",
            "/dashboard/",
            "/wallet/",
            "/operator/money/",
            f"/c/{c}/settings/",
            f"/listings/{listing}/edit/",
            f"/c/{c}/board/",
            f"/c/{c}/board/{question}/",
            f"/c/{c}/board/{hidden}/",
            "/messages/",
            f"/messages/{talk}/",
            f"/messages/{raw_talk}/",
            "/messages/new/?to=buyer",
        ],
    }


def test_the_corpus_runs_when_it_is_not_escaped(browser):
    # The control: the hook would see the payloads if a page let them through.
    hits: list[object] = []
    context = browser.new_context()
    context.expose_binding("__xss", lambda source, n: hits.append(n))
    page = context.new_page()
    page.on("dialog", lambda dialog: (hits.append(dialog.message), dialog.dismiss()))
    page.set_content("\n".join(PAYLOADS))
    page.wait_for_timeout(300)
    context.close()
    assert len(set(hits)) >= 10


def test_no_payload_runs_on_any_page(market, live_server, browser):
    from django.conf import settings

    hits: list[tuple[str, object]] = []
    visited = 0
    for who, paths in _pages(market).items():
        context = browser.new_context()
        if who:
            client = Client()
            client.force_login(market[who])
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        context.expose_binding(
            "__xss", lambda source, n: hits.append((source["page"].url, n))
        )
        page = context.new_page()
        page.on("dialog", lambda dialog: (hits.append((page.url, dialog.message)),
                                          dialog.dismiss()))  # fmt: skip
        for path in paths:
            response = page.goto(f"{live_server.url}{path}", wait_until="load")
            assert response is not None and response.status == 200, (who, path)
            # Let error and load handlers of images, media and frames fire.
            page.wait_for_timeout(150)
            visited += 1
        context.close()
    assert visited == sum(len(p) for p in _pages(market).values())
    assert hits == []
