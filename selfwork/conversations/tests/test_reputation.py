"""A member's reputation counts how fast they answer the messages sent to them."""

import datetime as dt

import pytest
from django.utils import timezone

from selfwork.conversations.services import conversation_start, message_send

pytestmark = pytest.mark.django_db


def test_the_profile_measures_how_fast_the_member_answers_messages(
    client, buyer, provider
):
    asked = timezone.now() - dt.timedelta(hours=2)
    started = conversation_start(
        sender=buyer, to=provider.username, body="Hello?", now=asked
    )
    message_send(
        conversation=started.conversation,
        sender=provider,
        body="Hi!",
        now=asked + dt.timedelta(minutes=25),
    )
    figures = client.get("/api/v1/members/priya").json()["reputation"]
    assert figures["median_first_response_seconds"] == 25 * 60
    assert "1 answer" in figures["median_first_response_note"]
    # The one who asked answered nothing.
    asker = client.get(f"/api/v1/members/{buyer.username}").json()["reputation"]
    assert asker["median_first_response_seconds"] is None
