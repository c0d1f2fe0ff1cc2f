"""The demo's boards, read from ``demo_board.toml`` and written through the services.

Everything goes through ``post_create``, ``reply_create``, ``post_vote``,
``post_accept`` and the hosts' ``post_pin`` and ``post_lock``, so the demo is one
more proof that they work together.
"""

import datetime as dt
import tomllib
from pathlib import Path

from selfwork.accounts.models import Member
from selfwork.boards import services
from selfwork.communities.models import Community, Membership

DATA = Path(__file__).with_name("demo_board.toml")


def _host(community: Community) -> Member:
    membership = (
        Membership.objects.filter(
            community=community,
            role=Membership.Role.HOST,
            status=Membership.Status.ACTIVE,
        )
        .select_related("member")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise ValueError(f"The demo community {community.slug} has no host.")
    return membership.member


def boards_demo_seed(*, now: dt.datetime, data: Path = DATA) -> int:
    """Write the demo's posts with their replies, votes and answers; return how many.

    Communities the demo did not create are skipped, so a smaller demo still seeds.
    """
    plan = tomllib.loads(data.read_text())
    communities = {c.slug: c for c in Community.objects.all()}
    members = {m.username: m for m in Member.objects.all()}
    made = 0
    for spec in plan["post"]:
        community = communities.get(spec["community"])
        if community is None:
            continue
        posted_at = now - dt.timedelta(days=spec["days_ago"])
        post = services.post_create(
            community=community,
            author=members[spec["author"]],
            kind=spec["kind"],
            title=spec["title"],
            body=spec["body"].strip(),
            now=posted_at,
        )
        for username in spec.get("votes", []):
            services.post_vote(post=post, member=members[username], now=posted_at)
        for reply_spec in spec.get("reply", []):
            replied_at = posted_at + dt.timedelta(hours=reply_spec["hours"])
            reply = services.reply_create(
                post=post,
                author=members[reply_spec["author"]],
                body=reply_spec["body"].strip(),
                now=replied_at,
            )
            if reply_spec.get("accepted"):
                services.post_accept(
                    post=post, author=post.author, reply=reply, now=replied_at
                )
        host = _host(community)
        if spec.get("pinned"):
            services.post_pin(post=post, actor=host, pinned=True, now=posted_at)
        if spec.get("locked"):
            services.post_lock(post=post, actor=host, locked=True, now=now)
        made += 1
    return made
