"""Two requests racing to start the same conversation make one, on both engines."""

import threading

import pytest
from django.db import connection

from selfwork.conversations import services
from selfwork.conversations.models import Conversation, Message, Participant


@pytest.mark.django_db(transaction=True)
def test_racing_starts_make_one_conversation(buyer, provider, portrait, now):
    barrier = threading.Barrier(4)
    results, errors = [], []

    def start(n):
        try:
            barrier.wait()
            started = services.conversation_start(
                sender=buyer if n % 2 else provider,
                to=provider.username if n % 2 else buyer.username,
                listing=str(portrait.public_id),
                body=f"Message {n}",
                now=now,
            )
            results.append(started)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Conversation.objects.count() == 1
    assert Participant.objects.count() == 2
    assert Message.objects.count() == 4
    assert sum(1 for r in results if r.created) == 1
