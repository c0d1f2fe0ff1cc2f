import pytest

pytestmark = pytest.mark.django_db


class TestLedgerAdmin:
    def test_operators_can_read_transactions_with_their_legs(
        self, admin_client, realistic_ledger
    ):
        from selfwork.ledger.models import Transaction

        release = Transaction.objects.filter(kind="release").first()

        listing = admin_client.get("/admin/ledger/transaction/")
        detail = admin_client.get(f"/admin/ledger/transaction/{release.pk}/change/")

        assert listing.status_code == 200
        assert detail.status_code == 200
        assert b"Release less 5% fee" in listing.content
        assert b"11400" in detail.content

    def test_nothing_can_be_added_changed_or_deleted(
        self, admin_client, realistic_ledger
    ):
        from selfwork.ledger.models import Account

        wallet = realistic_ledger["priya_eur"]

        assert admin_client.get("/admin/ledger/account/add/").status_code == 403
        assert (
            admin_client.post(
                f"/admin/ledger/account/{wallet.pk}/change/", {"name": "Renamed"}
            ).status_code
            == 403
        )
        assert (
            admin_client.post(
                f"/admin/ledger/account/{wallet.pk}/delete/", {"post": "yes"}
            ).status_code
            == 403
        )
        assert Account.objects.get(pk=wallet.pk).name == ""
