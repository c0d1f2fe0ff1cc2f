"""Payment gateways: the one interface to money outside selfwork, and two of them.

A gateway charges a card, refunds a charge and pays out to a destination. Every
call carries an idempotency key derived from what it settles; a gateway answers a
retried key with its first answer and never moves money twice. Real processors
plug in behind the same ``Gateway`` protocol and are added to ``GATEWAYS`` by
hand (no plugin loading by dotted path).

``sandbox`` simulates a card processor with deterministic test cards:

=====================  ==================================================
4242 4242 4242 4242    succeeds
4000 0000 0000 0002    declined (``card_declined``)
4000 0000 0000 9995    declined (``insufficient_funds``)
4000 0000 0000 0119    fails after a short delay (``processing_error``,
                       retryable)
other numbers          succeed if they pass the Luhn check, else are
                       refused as ``invalid_card`` before any call
=====================  ==================================================

The same cards answer an authorisation (a rental's deposit) the same way. An
authorisation lapses after ``SELFWORK_DEPOSIT_AUTHORISATION_DAYS`` (7 by default)
by the sandbox's own clock, as cards' do; it can be captured (whole or in part;
a partial capture gives the rest back, as processors do) or voided, once.

Sandbox bank payouts complete at once, except to an account number ending in
``0002``, which the simulated bank refuses (``account_closed``).

``manual`` records money settled outside selfwork (cash, a bank transfer): a
charge is pending until the community's host confirms it arrived; refunds are
handed back the same way and recorded as done. A cash deposit is likewise
pending until the host confirms it; capturing or returning it is recorded as
done.
"""

import datetime as dt
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from selfwork.core.errors import Conflict, InvalidInput
from selfwork.core.money import Money
from selfwork.payments.models import SandboxOperation

CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_PROCESSING_ERROR = "4000000000000119"
_DECLINES = {
    CARD_DECLINED: "card_declined",
    CARD_INSUFFICIENT_FUNDS: "insufficient_funds",
}
ACCOUNT_CLOSED_SUFFIX = "0002"
_CARD_SEPARATORS = re.compile(r"[ -]")
_ACCOUNT = re.compile(r"^[A-Z0-9]{8,34}$")


@dataclass(frozen=True)
class GatewayResult:
    """A gateway's answer: ``succeeded``, ``pending`` or ``failed`` (with a code)."""

    status: str
    ref: str
    failure_code: str = ""
    retryable: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class AuthoriseResult:
    """A gateway's answer to an authorisation: ``authorised``, ``pending`` or ``failed``.

    ``expires_at`` is when the processor drops the authorisation (None when it
    never lapses, as a cash deposit does not).
    """

    status: str
    ref: str
    failure_code: str = ""
    expires_at: dt.datetime | None = None
    retryable: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "authorised"


class Gateway(Protocol):
    name: str

    def card_check(self, card: str | None) -> str:
        """Return the last four digits of a usable ``card`` ("" if none is needed).

        :raises InvalidInput: ``invalid_card`` before anything is charged.
        """
        ...

    def charge(
        self, *, card: str | None, amount: Money, idempotency_key: str
    ) -> GatewayResult: ...

    def refund(
        self, *, charge_ref: str, amount: Money, idempotency_key: str
    ) -> GatewayResult: ...

    def payout(
        self, *, destination: str, amount: Money, idempotency_key: str
    ) -> GatewayResult: ...

    def authorise(
        self, *, card: str | None, amount: Money, idempotency_key: str
    ) -> AuthoriseResult:
        """Hold ``amount`` on ``card`` without taking it."""
        ...

    def capture(
        self, *, ref: str, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        """Take ``amount`` (at most what ``ref`` holds) and give back the rest; once."""
        ...

    def void(self, *, ref: str, idempotency_key: str) -> GatewayResult:
        """Give back everything authorisation ``ref`` holds."""
        ...

    def lookup(self, *, idempotency_key: str) -> GatewayResult | None:
        """The gateway's own answer to the call made with ``idempotency_key``.

        None when the gateway never received it. Reconciliation trusts this
        over selfwork's rows: it is what the processor did.
        """
        ...


def authorisation_days() -> int:
    """How many days a card authorisation lasts (``SELFWORK_DEPOSIT_AUTHORISATION_DAYS``)."""
    return int(getattr(settings, "SELFWORK_DEPOSIT_AUTHORISATION_DAYS", 7))


def card_number_clean(card: object) -> str:
    """Return the digits of ``card`` if it is a plausible card number passing Luhn.

    :raises InvalidInput: ``invalid_card`` otherwise.
    """
    digits = _CARD_SEPARATORS.sub("", card) if isinstance(card, str) else ""
    if not (digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19):
        raise InvalidInput(
            gettext("A card number is 12 to 19 digits."),
            field="card",
            code="invalid_card",
        )
    if not luhn_valid(digits):
        raise InvalidInput(
            gettext("That card number is mistyped (its check digit is wrong)."),
            field="card",
            code="invalid_card",
        )
    return digits


def luhn_valid(digits: str) -> bool:
    """The Luhn check every card number passes."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def account_number_clean(number: object) -> str:
    """Return a bank account number or IBAN in canonical form (upper case, no spaces).

    :raises InvalidInput: ``invalid_account_number`` for anything else.
    """
    text = re.sub(r"[ -]", "", number).upper() if isinstance(number, str) else ""
    if not _ACCOUNT.match(text):
        raise InvalidInput(
            gettext("An account number is 8 to 34 letters and digits, like an IBAN."),
            field="account_number",
            code="invalid_account_number",
        )
    return text


class SandboxGateway:
    """A deterministic card processor and bank, with its own books (``SandboxOperation``)."""

    name = "sandbox"

    def __init__(self, processing_delay: float | None = None) -> None:
        self.processing_delay = (
            processing_delay
            if processing_delay is not None
            else float(getattr(settings, "SELFWORK_SANDBOX_PROCESSING_DELAY", 0.2))
        )

    def card_check(self, card: str | None) -> str:
        return card_number_clean(card)[-4:]

    def charge(
        self, *, card: str | None, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        digits = card_number_clean(card)
        fingerprint = hashlib.sha256(digits.encode()).hexdigest()[:16]

        def decide() -> tuple[str, str]:
            if digits == CARD_PROCESSING_ERROR:
                # The processor thinks for a while, then gives up.
                time.sleep(self.processing_delay)
                return "failed", "processing_error"
            if digits in _DECLINES:
                return "failed", _DECLINES[digits]
            return "succeeded", ""

        return self._operate(
            operation="charge",
            request=f"charge {amount} card {fingerprint}",
            amount=amount,
            idempotency_key=idempotency_key,
            decide=decide,
        )

    def refund(
        self, *, charge_ref: str, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        charged = SandboxOperation.objects.filter(
            ref=charge_ref, operation="charge", status="succeeded"
        ).first()

        def decide() -> tuple[str, str]:
            if charged is None or charged.currency != amount.unit:
                return "failed", "no_such_charge"
            return "succeeded", ""

        return self._operate(
            operation="refund",
            request=f"refund {amount} of {charge_ref}",
            amount=amount,
            idempotency_key=idempotency_key,
            decide=decide,
        )

    def payout(
        self, *, destination: str, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        def decide() -> tuple[str, str]:
            if destination.endswith(ACCOUNT_CLOSED_SUFFIX):
                return "failed", "account_closed"
            return "succeeded", ""

        return self._operate(
            operation="payout",
            request=f"payout {amount} to {destination}",
            amount=amount,
            idempotency_key=idempotency_key,
            decide=decide,
        )

    def authorise(
        self, *, card: str | None, amount: Money, idempotency_key: str
    ) -> AuthoriseResult:
        digits = card_number_clean(card)
        fingerprint = hashlib.sha256(digits.encode()).hexdigest()[:16]

        def decide() -> tuple[str, str]:
            if digits == CARD_PROCESSING_ERROR:
                time.sleep(self.processing_delay)
                return "failed", "processing_error"
            if digits in _DECLINES:
                return "failed", _DECLINES[digits]
            return "succeeded", ""

        result = self._operate(
            operation="authorise",
            request=f"authorise {amount} card {fingerprint}",
            amount=amount,
            idempotency_key=idempotency_key,
            decide=decide,
            lasts=dt.timedelta(days=authorisation_days()),
        )
        operation = SandboxOperation.objects.get(ref=result.ref)
        return AuthoriseResult(
            status="authorised" if result.ok else "failed",
            ref=result.ref,
            failure_code=result.failure_code,
            expires_at=operation.expires_at if result.ok else None,
            retryable=result.retryable,
        )

    def _authorisation_open(self, ref: str) -> tuple[SandboxOperation | None, str]:
        """The authorisation ``ref`` if it can still be captured or voided, or why not."""
        held = SandboxOperation.objects.filter(
            ref=ref, operation="authorise", status="succeeded"
        ).first()
        if held is None:
            return None, "no_such_authorisation"
        if SandboxOperation.objects.filter(
            request__endswith=f" of {ref}",
            operation__in=["capture", "void"],
            status="succeeded",
        ).exists():
            return held, "authorisation_settled"
        if held.expires_at is not None and timezone.now() >= held.expires_at:
            return held, "authorisation_expired"
        return held, ""

    def capture(
        self, *, ref: str, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        def decide() -> tuple[str, str]:
            held, why = self._authorisation_open(ref)
            if why:
                return "failed", why
            assert held is not None
            if held.currency != amount.unit or amount.minor > held.amount_minor:
                return "failed", "amount_exceeds_authorisation"
            return "succeeded", ""

        return self._operate(
            operation="capture",
            request=f"capture {amount} of {ref}",
            amount=amount,
            idempotency_key=idempotency_key,
            decide=decide,
        )

    def void(self, *, ref: str, idempotency_key: str) -> GatewayResult:
        held, why = self._authorisation_open(ref)
        # The sandbox's books want an amount; for an unknown ref there is none,
        # and the call is recorded as failed with a nominal one.
        amount = (
            Money(held.amount_minor, held.currency)
            if held is not None
            else Money(1, "EUR")
        )
        return self._operate(
            operation="void",
            request=f"void of {ref}",
            amount=amount,
            idempotency_key=idempotency_key,
            decide=lambda: ("failed", why) if why else ("succeeded", ""),
        )

    def lookup(self, *, idempotency_key: str) -> GatewayResult | None:
        found = SandboxOperation.objects.filter(idempotency_key=idempotency_key).first()
        if found is None:
            return None
        return GatewayResult(
            status=found.status,
            ref=found.ref,
            failure_code=found.failure_code,
            retryable=found.failure_code == "processing_error",
        )

    def destination_token(self, account_number: str) -> str:
        """The sandbox bank's handle on an account: it keeps only the last digits."""
        return f"sandbox_acct_{secrets.token_hex(8)}_{account_number[-4:]}"

    def _operate(
        self,
        *,
        operation: str,
        request: str,
        amount: Money,
        idempotency_key: str,
        decide,
        lasts: dt.timedelta | None = None,
    ) -> GatewayResult:
        existing = SandboxOperation.objects.filter(
            idempotency_key=idempotency_key
        ).first()
        if existing is None:
            status, failure_code = decide()
            # The processor's own clock: it is outside selfwork.
            created_at = timezone.now()
            try:
                with transaction.atomic():
                    existing = SandboxOperation.objects.create(
                        idempotency_key=idempotency_key,
                        operation=operation,
                        request=request[:300],
                        status=status,
                        ref=f"sb_{operation}_{secrets.token_hex(12)}",
                        failure_code=failure_code,
                        amount_minor=amount.minor,
                        currency=amount.unit,
                        created_at=created_at,
                        expires_at=(
                            created_at + lasts
                            if lasts is not None and status == "succeeded"
                            else None
                        ),
                    )
            except IntegrityError:
                # A racing call with the same key was answered first.
                existing = SandboxOperation.objects.get(idempotency_key=idempotency_key)
        if existing.operation != operation or existing.request != request[:300]:
            raise Conflict(
                gettext("The gateway already answered another request with this key."),
                code="gateway_key_reused",
            )
        return GatewayResult(
            status=existing.status,
            ref=existing.ref,
            failure_code=existing.failure_code,
            retryable=existing.failure_code == "processing_error",
        )


class ManualGateway:
    """Money settled outside selfwork and recorded by the community's host."""

    name = "manual"

    def card_check(self, card: str | None) -> str:
        return ""

    def charge(
        self, *, card: str | None, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        # The charge row's unique key is the manual gateway's record.
        return GatewayResult(status="pending", ref=_manual_ref(idempotency_key))

    def refund(
        self, *, charge_ref: str, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        return GatewayResult(status="succeeded", ref=_manual_ref(idempotency_key))

    def payout(
        self, *, destination: str, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        return GatewayResult(status="succeeded", ref=_manual_ref(idempotency_key))

    def authorise(
        self, *, card: str | None, amount: Money, idempotency_key: str
    ) -> AuthoriseResult:
        # Cash handed to the host: pending until the host confirms it.
        return AuthoriseResult(status="pending", ref=_manual_ref(idempotency_key))

    def capture(
        self, *, ref: str, amount: Money, idempotency_key: str
    ) -> GatewayResult:
        # The host hands the claimed part to the provider, the rest back.
        return GatewayResult(status="succeeded", ref=_manual_ref(idempotency_key))

    def void(self, *, ref: str, idempotency_key: str) -> GatewayResult:
        return GatewayResult(status="succeeded", ref=_manual_ref(idempotency_key))

    def lookup(self, *, idempotency_key: str) -> GatewayResult | None:
        # Nothing leaves selfwork: a host's confirmation is the only record.
        return None


def _manual_ref(idempotency_key: str) -> str:
    # Derived from the key, so a retried call names the same record.
    return "manual_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


def gateway_get(name: str) -> Gateway:
    """Return the gateway called ``name``.

    :raises InvalidInput: ``unknown_gateway`` for any other name.
    """
    if name == "sandbox":
        return SandboxGateway()
    if name == "manual":
        return ManualGateway()
    raise InvalidInput(
        gettext("'%(name)s' is not a payment gateway; use sandbox or manual.")
        % {"name": str(name)[:20]},
        field="gateway",
        code="unknown_gateway",
    )
