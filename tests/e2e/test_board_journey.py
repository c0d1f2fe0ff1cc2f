"""A question on a community's board gets an accepted answer, in three browsers.

Greta asks where to borrow a long ladder; Declan answers and mentions her; Greta
marks his reply the accepted answer; Fatima, another neighbour, opens the board,
sees the question marked answered and new to her, and reads the accepted answer.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"


@pytest.fixture
def neighbours():
    """Riverside with its host Siobhán and three neighbours as members."""
    from selfwork.accounts.services import member_signup
    from selfwork.communities.services import community_create, community_join

    at = timezone.now()

    def signup(username, name):
        member = member_signup(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            now=at,
        )
        member.display_name = name
        member.save()
        return member

    host = signup("siobhan", "Siobhán")
    riverside = community_create(
        creator=host, slug="riverside", name="Riverside Share", now=at, settings={}
    )
    for username, name in (
        ("greta", "Greta"),
        ("declan", "Declan"),
        ("fatima", "Fatima"),
    ):
        community_join(community=riverside, member=signup(username, name), now=at)
    return riverside


def logged_in(
    browser: Browser, base: str, username: str
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return context, page


def test_a_question_gets_an_answer_its_author_accepts(
    live_server, browser: Browser, neighbours
):
    from selfwork.boards.models import Post
    from selfwork.notifications.models import Notification

    base = live_server.url
    asker_context, asker = logged_in(browser, base, "greta")
    helper_context, helper = logged_in(browser, base, "declan")
    reader_context, reader = logged_in(browser, base, "fatima")

    # Greta finds the board from the community page and asks her question
    asker.goto(f"{base}/c/riverside/")
    asker.get_by_role("link", name="Read the board").click()
    expect(asker).to_have_url(re.compile(r"/c/riverside/board/$"))
    asker.select_option("select[name=kind]", "question")
    asker.fill("input[name=title]", "Where can I borrow a long ladder?")
    asker.fill("textarea[name=body]", "Our gutters need **clearing** this weekend.")
    asker.get_by_role("button", name="Post it").click()
    expect(asker).to_have_url(re.compile(r"/c/riverside/board/[0-9a-f-]{36}/$"))
    expect(
        asker.get_by_role("heading", name="Where can I borrow a long ladder?")
    ).to_be_visible()
    expect(asker.locator(".prose strong")).to_have_text("clearing")
    post_url = asker.url

    # Declan sees it on the board, new to him, and answers, mentioning Greta
    helper.goto(f"{base}/c/riverside/board/")
    row = helper.locator(".post-row").filter(has_text="long ladder")
    expect(row.locator(".unread-mark")).to_be_visible()
    row.get_by_role("link", name="Where can I borrow a long ladder?").click()
    helper.fill("textarea[name=body]", "@greta my ladder reaches 6 metres; take it.")
    helper.get_by_role("button", name="Post the reply").click()
    expect(helper.locator(".reply")).to_have_count(1)
    assert Notification.objects.filter(kind="mention").count() == 1

    # Greta marks his reply the accepted answer
    asker.goto(post_url)
    reply = asker.locator(".reply").filter(has_text="my ladder reaches 6 metres")
    expect(reply.locator(".unread-mark")).to_be_visible()
    reply.get_by_role("button", name="Mark as the accepted answer").click()
    expect(asker.locator(".reply-accepted")).to_contain_text("Accepted answer")
    post = Post.objects.get()
    assert post.accepted_reply is not None
    assert post.accepted_reply.author.username == "declan"

    # Fatima, another neighbour, sees it answered and reads the accepted answer
    reader.goto(f"{base}/c/riverside/board/?kind=question")
    row = reader.locator(".post-row").filter(has_text="long ladder")
    expect(row).to_contain_text("Answered")
    expect(row).to_contain_text("1 reply")
    row.get_by_role("link", name="Where can I borrow a long ladder?").click()
    accepted = reader.locator(".reply-accepted")
    expect(accepted).to_contain_text("Accepted answer")
    expect(accepted).to_contain_text("Declan")
    # She may vote, but she is no author: no button to accept anything
    expect(
        reader.get_by_role("button", name="Mark as the accepted answer")
    ).to_have_count(0)
    reader.get_by_role("button", name="Vote for this").click()
    expect(reader.locator("#vote-count")).to_have_text("1 vote")

    for context in (asker_context, helper_context, reader_context):
        context.close()
