"""The admin shows exchanges read-only."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_operators_read_exchanges_in_the_admin_but_cannot_edit(commission, make_member):
    operator = make_member("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    listing = client.get("/admin/exchanges/exchange/")
    assert listing.status_code == 200
    assert str(commission.public_id) in listing.content.decode()
    page = client.get(f"/admin/exchanges/exchange/{commission.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    for model in (
        "timer",
        "outboxevent",
        "processversion",
        "delivery",
        "licence",
        "review",
        "memberrating",
    ):
        assert client.get(f"/admin/exchanges/{model}/").status_code == 200
    assert client.get("/admin/exchanges/exchange/add/").status_code == 403
