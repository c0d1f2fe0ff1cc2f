"""Web pages for money: the member's wallet and statement, the operator's overview.

The wallet page holds several small forms (payout, destination, automatic
payouts, a host's confirmation of cash payments); each POST runs one service and
redirects, or shows the page again with the error beside its field.
"""

from typing import TextIO, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from selfwork.accounts.forms import add_service_error
from selfwork.communities.models import Community
from selfwork.communities.timebank import hours_statements_of
from selfwork.core.errors import SelfworkError
from selfwork.core.formats import money_format
from selfwork.core.money import Money
from selfwork.ledger.export import ledger_export
from selfwork.payments import selectors, services
from selfwork.payments.books import community_ref, member_ref

ENTRIES_PER_PAGE = 25
ACTIONS = ("payout", "destination", "preferences", "confirm", "cancel")


class PayoutForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "25.00"}),
    )
    currency = forms.ChoiceField(label=_("Currency"))
    destination = forms.ChoiceField(label=_("To"))

    def __init__(self, *args, member, balances, destinations, **kwargs):
        super().__init__(*args, **kwargs)
        units = [b.currency for b in balances] or [member.preferred_currency]
        self.fields["currency"].choices = [(u, u) for u in units]  # type: ignore[attr-defined]
        self.fields["destination"].choices = [  # type: ignore[attr-defined]
            (str(d.public_id), f"{d.label} {d.masked}") for d in destinations
        ]

    def clean_amount(self) -> str:
        amount = self.cleaned_data["amount"].strip()
        if not amount.isascii():
            raise forms.ValidationError(
                gettext('Write the amount in plain digits, like "12.50".')
            )
        return amount


class DestinationForm(forms.Form):
    label = forms.CharField(
        label=_("Name"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Main account")}),
    )
    account_number = forms.CharField(
        label=_("Account number or IBAN"),
        max_length=60,
        help_text=_("Only the last four characters are kept here."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _entries_before(request: HttpRequest) -> int | None:
    raw = request.GET.get("before", "")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 19 else None


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    """The member's wallet: balances, entries, payouts, destinations, settings."""
    member = request.user
    balances = selectors.wallet_balances(member=member)
    destinations = list(selectors.payout_destinations(member=member))
    payout_form = PayoutForm(
        member=member, balances=balances, destinations=destinations, prefix="payout"
    )
    destination_form = DestinationForm(prefix="destination")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, gettext("That form is not one of this page's."))
            return redirect("web:wallet")
        try:
            done = _wallet_action(request, action, balances, destinations)
        except _FormError as error:
            if error.action == "payout":
                payout_form = error.form  # type: ignore[assignment]
            else:
                destination_form = error.form  # type: ignore[assignment]
            status = 422
        else:
            return done

    before = _entries_before(request)
    entries = list(
        selectors.wallet_entries(member=member, before_id=before)[
            : ENTRIES_PER_PAGE + 1
        ]
    )
    older = (
        entries[ENTRIES_PER_PAGE - 1].pk if len(entries) > ENTRIES_PER_PAGE else None
    )
    return render(
        request,
        "payments/wallet.html",
        {
            "balances": balances,
            "hours": hours_statements_of(member=member),
            "entries": selectors.wallet_history(
                member=member, legs=entries[:ENTRIES_PER_PAGE]
            ),
            "older": older,
            "paging": before is not None,
            "destinations": destinations,
            "payouts": list(selectors.payouts_list(member=member)[:10]),
            "auto_payout": selectors.payout_preference(member=member),
            "pending": list(selectors.charges_pending_for_host(member=member)),
            "payout_form": payout_form,
            "destination_form": destination_form,
        },
        status=status,
    )


class _FormError(Exception):
    def __init__(self, action: str, form: forms.Form) -> None:
        self.action = action
        self.form = form


def _wallet_action(request, action, balances, destinations) -> HttpResponse:
    member = request.user
    post = request.POST
    now = timezone.now()
    if action == "payout":
        form = PayoutForm(
            post,
            member=member,
            balances=balances,
            destinations=destinations,
            prefix="payout",
        )
        if not form.is_valid():
            raise _FormError(action, form)
        try:
            amount = Money.parse(
                form.cleaned_data["amount"],
                form.cleaned_data["currency"],
                allow_hours=False,
            )
            destination = selectors.payout_destination_get(
                member=member, public_id=form.cleaned_data["destination"]
            )
            payout = services.payout_create(
                member=member, amount=amount, destination=destination, now=now
            )
        except SelfworkError as exc:
            add_service_error(form, exc, fields={"amount.currency": "currency"})
            raise _FormError(action, form) from exc
        if payout.status == "paid":
            messages.success(
                request,
                gettext("%(amount)s is on its way to %(destination)s.")
                % {"amount": money_format(amount), "destination": destination.label},
            )
        else:
            messages.error(
                request,
                gettext(
                    "The bank refused the payout (%(code)s); "
                    "the money is back in your wallet."
                )
                % {"code": payout.failure_code},
            )
    elif action == "destination":
        dform = DestinationForm(post, prefix="destination")
        if not dform.is_valid():
            raise _FormError(action, dform)
        try:
            services.payout_destination_add(
                member=member,
                label=dform.cleaned_data["label"],
                account_number=dform.cleaned_data["account_number"],
                now=now,
            )
        except SelfworkError as exc:
            add_service_error(dform, exc)
            raise _FormError(action, dform) from exc
        messages.success(request, gettext("Payout destination added."))
    elif action == "preferences":
        on = post.get("auto_payout") == "on"
        try:
            services.payout_preference_set(member=member, auto_payout=on, now=now)
        except SelfworkError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request,
                gettext("Every release is now paid out to you automatically.")
                if on
                else gettext("Automatic payouts are off."),
            )
    else:  # confirm or cancel a cash payment, as the community's host
        try:
            # Others must not learn that a payment exists: a charge of a
            # community the member does not host reads as no charge at all.
            charge = selectors.charge_get_for_host(
                public_id=post.get("charge", ""), member=member
            )
            if action == "confirm":
                services.manual_charge_confirm(charge=charge, host=member, now=now)
                messages.success(
                    request, gettext("Payment confirmed: it is now in escrow.")
                )
            else:
                services.manual_charge_cancel(charge=charge, host=member, now=now)
                messages.success(request, gettext("Payment marked as not received."))
        except SelfworkError as exc:
            messages.error(request, exc.detail)
    return redirect("web:wallet")


@login_required
def wallet_statement(request: HttpRequest) -> HttpResponse:
    """The member's own entries as CSV, one row per entry with the running balance."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="selfwork-statement-{request.user.username}.csv"'
    )
    ledger_export(
        format="csv",
        stream=cast(TextIO, response),  # HttpResponse is file-like: it has write()
        owner_ref_prefix=member_ref(request.user),
    )
    return response


@login_required
def operator_money(request: HttpRequest) -> HttpResponse:
    """The operator's view: fee revenue, treasuries, escrow outstanding, clearing."""
    if not request.user.is_staff:
        raise PermissionDenied(gettext("Only the operator sees the platform's money."))
    names = {
        community_ref(c): c.name
        for c in Community.objects.only("public_id", "name").order_by("pk")
    }
    return render(
        request,
        "payments/operator_money.html",
        {"overview": selectors.money_overview(community_names=names)},
    )
