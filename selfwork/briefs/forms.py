"""Web forms for briefs, offers and counter-proposals.

They shape input into the API's dictionaries (``{"amount", "currency"}``) and hand
it to the services, which judge it; a service's ``InvalidInput`` is shown beside
the input it names.
"""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext

from selfwork.accounts.forms import UPLOAD_CODES, choice_field, currency_choices
from selfwork.catalog.forms import MultipleFileField, money_field
from selfwork.core.errors import InvalidInput, SelfworkError

MAX_ATTACHMENTS = 8
# "Sketch — 40.00", "Sketch: 40", "Final art 60.50"
_MILESTONE_LINE = re.compile(r"^(.*?)\s*[—:–-]?\s*([0-9][0-9.,]*)\s*$")


def _days(label: str, *, required: bool = True, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": "4"}),
        **kwargs,
    )


class ServiceErrors:
    """Mixin: put a service error beside the input it is about."""

    FIELD_MAP: dict[str, str] = {}

    def add_service_error(self, exc: SelfworkError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        path = str(getattr(exc, "field", None) or "")
        name: str | None = None
        if exc.code in UPLOAD_CODES:
            name = "attachments"
        elif path in form.fields:
            name = path
        else:
            for prefix, field in self.FIELD_MAP.items():
                if path.startswith(prefix):
                    name = field
                    break
        if name is not None and name not in form.fields:
            name = None
        form.add_error(name, exc.detail)


class BriefForm(ServiceErrors, forms.Form):
    FIELD_MAP = {
        "budget.min.currency": "currency",
        "budget.max.currency": "currency",
        "budget.min": "budget_min",
        "budget.max": "budget_max",
        "deadline": "deadline",
    }

    community = forms.ChoiceField(label="Community")
    title = forms.CharField(
        label="What do you need?",
        max_length=120,
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. A cover for my poetry book"}
        ),
    )
    description = forms.CharField(
        label="Describe the work",
        max_length=10000,
        help_text="Sizes, style, what it is for, what you already have. "
        "Markdown works: **bold**, *italic*, lists and links.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    currency = forms.ChoiceField(label="Currency")
    budget_min = money_field("Budget from", required=True)
    budget_max = money_field("Budget up to", required=True)
    deadline = forms.DateField(
        label="Needed by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    attachments = MultipleFileField(
        label="Reference images",
        required=False,
        help_text=f"Sketches or examples; up to {MAX_ATTACHMENTS} JPEG, PNG, WebP or GIF.",
    )

    def __init__(self, *args: Any, communities: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "community").choices = [
            (c.slug, c.name) for c in communities
        ]
        choice_field(self, "currency").choices = currency_choices()

    def clean_attachments(self) -> list:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(f"Attach at most {MAX_ATTACHMENTS} images.")
        return files

    def for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        currency = data["currency"]
        return {
            "title": data["title"],
            "description": data["description"],
            "budget_min": {"amount": data["budget_min"].strip(), "currency": currency},
            "budget_max": {"amount": data["budget_max"].strip(), "currency": currency},
            "deadline": data["deadline"],
        }


def milestones_parse(text: str, currency: str) -> list[dict[str, Any]]:
    """One milestone a line, ``Title — 40.00``; refuses a line it cannot read."""
    milestones = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _MILESTONE_LINE.match(line)
        if not match or not match.group(1).strip():
            raise InvalidInput(
                gettext("Line %(number)s should read like “Sketch — 40.00”.")
                % {"number": number},
                field="milestones",
                code="invalid_milestones",
            )
        milestones.append(
            {
                "title": match.group(1).strip(),
                "amount": {"amount": match.group(2), "currency": currency},
            }
        )
    return milestones


class OfferForm(ServiceErrors, forms.Form):
    FIELD_MAP = {
        "price": "price",
        "milestones": "milestones",
        "usage_rights.credit_required": "credit_required",
        "usage_rights": "use",
        "expires_in_days": "expires_in_days",
    }

    price = money_field("Your price", required=True)
    delivery_days = _days("Delivery in days")
    revisions = forms.IntegerField(
        label="Rounds of changes included",
        min_value=0,
        max_value=50,
        initial=2,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": "4"}),
    )
    message = forms.CharField(
        label="Message to the customer",
        max_length=5000,
        required=False,
        help_text="How you would approach the work; links to similar pieces.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    milestones = forms.CharField(
        label="Milestones",
        max_length=2000,
        required=False,
        help_text="Optional. One per line, like “Sketch — 40.00”; "
        "they must add up to the price.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    use = forms.ChoiceField(
        label="The customer may use the work",
        choices=[("personal", "For personal use"), ("commercial", "Commercially")],
        initial="personal",
        widget=forms.RadioSelect,
    )
    credit_required = forms.BooleanField(
        label="The customer must credit me", required=False
    )
    expires_in_days = forms.IntegerField(
        label="Offer valid for (days)",
        min_value=1,
        max_value=90,
        initial=14,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": "4"}),
    )

    def for_service(self, currency: str) -> dict[str, Any]:
        """The ``offer_create`` arguments; raises InvalidInput for unreadable milestones."""
        data = self.cleaned_data
        return {
            "price": {"amount": data["price"].strip(), "currency": currency},
            "delivery_days": data["delivery_days"],
            "revisions": data["revisions"],
            "message": data["message"],
            "milestones": milestones_parse(data["milestones"], currency),
            "usage_rights": {
                "use": data["use"],
                "credit_required": data["credit_required"],
            },
            "expires_in_days": data["expires_in_days"],
        }


class CounterForm(ServiceErrors, forms.Form):
    FIELD_MAP = {"price": "price"}

    price = money_field("Your price", required=True)
    delivery_days = _days("Delivery in days", required=False)
    message = forms.CharField(
        label="Note",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def for_service(self, currency: str) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "price": {"amount": data["price"].strip(), "currency": currency},
            "delivery_days": data["delivery_days"],
            "message": data["message"],
        }
