"""The listing editor: one multipart form whose shape follows the community.

The form builds the same ``modes`` dictionaries the API takes and hands them to
``listing_create`` / ``listing_update``; the service judges prices, packages and
currencies, and its ``InvalidInput`` (``modes[1].packages[0].price``) is shown
beside the input it names.
"""

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from selfwork.accounts.forms import (
    UPLOAD_CODES,
    choice_field,
    comma_list,
    currency_choices,
)
from selfwork.catalog.calendar import (
    MAX_ADVANCE_DAYS,
    MAX_BUFFER_MINUTES,
    TIME_ZONES,
    WEEKDAYS,
)
from selfwork.catalog.models import CancellationPolicy, Listing, ListingMode
from selfwork.communities.models import Category, Community, ListingField, Mode
from selfwork.core.errors import InvalidInput, SelfworkError
from selfwork.core.money import Money

MAX_IMAGES = 8
PACKAGE_ROWS = 3
PACKAGE_PARTS = {
    "name": "name",
    "description": "description",
    "price": "price",
    "delivery_days": "days",
    "revisions": "revisions",
}
_PATH = re.compile(r"^modes\[(\d+)\](?:\.(.*))?$")
_PACKAGE = re.compile(r"^packages\[(\d+)\](?:\.(\w+))?")
_DELTA = re.compile(r"^(.*?)\s*\+\s*([0-9][0-9.]*)$")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def money_field(label: str, *, required: bool = False, **attrs: Any) -> forms.CharField:
    """A text input for an amount: kept as typed, parsed exactly by the service."""
    return forms.CharField(
        label=label,
        max_length=30,
        required=required,
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "size": "8",
                "autocomplete": "off",
                "placeholder": "0.00",
                **attrs,
            }
        ),
    )


def _small_int(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "4"}),
    )


def options_format(options: list[dict[str, Any]], unit: str) -> str:
    """Options as the editor writes them: ``Size: A4, A3 +15.00`` one per line."""
    lines = []
    for option in options:
        choices = []
        for choice in option["choices"]:
            delta = choice.get("price_delta_minor", 0)
            text = choice["label"]
            if delta:
                text += f" +{Money(delta, unit).amount}"
            choices.append(text)
        lines.append(f"{option['name']}: {', '.join(choices)}")
    return "\n".join(lines)


def options_parse(text: str, currency: str) -> list[dict[str, Any]]:
    """Parse ``Name: choice, choice +delta`` lines into the service's option shape."""
    options = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, colon, rest = line.partition(":")
        if not colon or not name.strip() or not rest.strip():
            raise InvalidInput(
                gettext(
                    "Line %(number)s: write an option as “Name: choice, choice +5.00”."
                )
                % {"number": number},
                field="made_to_order_options",
            )
        choices = []
        for part in rest.split(","):
            part = part.strip()
            if not part:
                continue
            match = _DELTA.match(part)
            if match:
                choices.append(
                    {
                        "label": match.group(1).strip(),
                        "price_delta": {"amount": match.group(2), "currency": currency},
                    }
                )
            else:
                choices.append({"label": part})
        options.append({"name": name.strip(), "choices": choices})
    return options


def _int_or_text(text: str) -> int | str:
    """A whole number when the text is one; else the text, for the service to refuse."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 7 else text


class ListingForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=120,
        widget=forms.TextInput(
            attrs={"placeholder": "Hand-lettered wedding invitations"}
        ),
    )
    description = forms.CharField(
        label="Description",
        max_length=20000,
        required=False,
        help_text="What you offer, how you work, what the buyer should tell you. "
        "Markdown works.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    tags = forms.CharField(
        label="Tags",
        max_length=600,
        required=False,
        help_text="Separate with commas; up to 12.",
        widget=forms.TextInput(attrs={"placeholder": "watercolour, pets, gift"}),
    )
    category = forms.ChoiceField(label="Category", required=False)
    city = forms.CharField(
        label="City",
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = forms.CharField(
        label="Country code",
        max_length=2,
        required=False,
        help_text="Two letters, such as NZ.",
        widget=forms.TextInput(attrs={"size": "3", "autocomplete": "country"}),
    )
    images = MultipleFileField(
        label="Add images",
        required=False,
        help_text=f"Up to {MAX_IMAGES} images: JPEG, PNG, WebP or GIF. "
        "The first one is the cover.",
    )
    remove_images = forms.MultipleChoiceField(
        label="Remove", required=False, widget=forms.CheckboxSelectMultiple
    )
    currency = forms.ChoiceField(
        label="Currency", help_text="Every price of a listing is in one currency."
    )

    def __init__(
        self,
        *args,
        community: Community,
        categories: list[Category],
        fields: list[ListingField],
        listing: Listing | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.community = community
        self.listing = listing
        self.custom_fields = fields
        choice_field(self, "category").choices = [("", "No category")] + [
            (c.slug, c.name) for c in categories
        ]
        if not categories:
            del self.fields["category"]
        choice_field(self, "currency").choices = currency_choices()
        self.fields["currency"].initial = community.currency
        self.existing_images = list(listing.images.all()) if listing else []
        choice_field(self, "remove_images").choices = [
            (str(i.upload.public_id), f"Image {n}")
            for n, i in enumerate(self.existing_images, start=1)
        ]
        for f in fields:
            self.fields[f"custom_{f.key}"] = self._custom_field(f)

        used = {m.mode for m in listing.modes.all()} if listing else set()
        self.mode_names = [
            m for m in Mode.values if community.mode_enabled(m) or m in used
        ]
        for mode in self.mode_names:
            self.fields[f"mode_{mode}"] = forms.BooleanField(
                label=Mode(mode).label, required=False
            )
        if "made_to_order" in self.mode_names:
            self.fields["made_to_order_price"] = money_field("Price")
            self.fields["made_to_order_options"] = forms.CharField(
                label="Options (optional)",
                required=False,
                max_length=3000,
                help_text="One per line, extra cost after “+”: "
                "Size: A4, A3 +15, A2 +30",
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if "service" in self.mode_names:
            for row in range(1, PACKAGE_ROWS + 1):
                self.fields[f"service_{row}_name"] = forms.CharField(
                    label="Package name", max_length=60, required=False
                )
                self.fields[f"service_{row}_description"] = forms.CharField(
                    label="What is included", max_length=500, required=False
                )
                self.fields[f"service_{row}_price"] = money_field("Price")
                self.fields[f"service_{row}_days"] = _small_int("Delivery days")
                self.fields[f"service_{row}_revisions"] = _small_int("Revisions")
                self.fields[f"service_{row}_commercial"] = forms.BooleanField(
                    label="Commercial use included", required=False
                )
                self.fields[f"service_{row}_credit"] = forms.BooleanField(
                    label="The buyer must credit me", required=False
                )
        if "rental" in self.mode_names:
            self.fields["rental_price"] = money_field("Price")
            self.fields["rental_unit"] = forms.ChoiceField(
                label="Per",
                choices=ListingMode.RentalUnit.choices,
                initial="day",
                required=False,
            )
            self.fields["rental_deposit"] = money_field("Deposit (optional)")
        if "lend" in self.mode_names:
            self.fields["lend_hours"] = money_field("Time credits (optional)")
            self.fields["lend_hours"].help_text = "Leave empty to lend for free."
        if "swap" in self.mode_names:
            self.fields["swap_wants"] = forms.CharField(
                label="What you would like in return (optional)",
                max_length=200,
                required=False,
            )
        if "timebank" in self.mode_names:
            self.fields["timebank_hours"] = money_field("Hours")
            if self.listing is None:
                self.fields["timebank_request"] = forms.BooleanField(
                    label="This is a request for help",
                    required=False,
                    help_text="Ask for someone's time instead of offering yours: "
                    "whoever helps you earns the hours, and you give them.",
                )

    @staticmethod
    def _custom_field(f: ListingField) -> forms.Field:
        label = f.label
        if f.kind == ListingField.Kind.CHOICE:
            return forms.ChoiceField(
                label=label,
                required=f.required,
                choices=[("", "—")] + [(c, c) for c in f.choices],
            )
        if f.kind == ListingField.Kind.BOOLEAN:
            return forms.ChoiceField(
                label=label,
                required=f.required,
                choices=[("", "—"), ("true", "Yes"), ("false", "No")],
            )
        attrs = {"inputmode": "decimal"} if f.kind == ListingField.Kind.NUMBER else {}
        return forms.CharField(
            label=label,
            required=f.required,
            max_length=200,
            widget=forms.TextInput(attrs=attrs),
        )

    # --- What the template walks through ------------------------------------------
    def custom_bound_fields(self):
        return [self[f"custom_{f.key}"] for f in self.custom_fields]

    def mode_sections(self) -> list[dict[str, Any]]:
        sections = []
        for mode in self.mode_names:
            names = [
                n
                for n in self.fields
                if n.startswith(f"{mode}_") and not n.startswith("service_")
            ]
            sections.append(
                {
                    "mode": mode,
                    "toggle": self[f"mode_{mode}"],
                    "fields": [self[n] for n in names],
                    "packages": [
                        {
                            "number": row,
                            "fields": [
                                self[f"service_{row}_{part}"]
                                for part in ("name", "price", "days", "revisions")
                            ],
                            "description": self[f"service_{row}_description"],
                            "rights": [
                                self[f"service_{row}_commercial"],
                                self[f"service_{row}_credit"],
                            ],
                        }
                        for row in range(1, PACKAGE_ROWS + 1)
                    ]
                    if mode == "service"
                    else [],
                    "enabled": self.community.mode_enabled(mode),
                }
            )
        return sections

    # --- Checks a browser could get wrong by itself ---------------------------------
    def clean(self):
        data = super().clean() or {}
        chosen = [m for m in self.mode_names if data.get(f"mode_{m}")]
        if not chosen:
            raise forms.ValidationError(
                "Choose at least one way to offer this listing (under “How you "
                "offer it”)."
            )
        needs = {
            "made_to_order": "made_to_order_price",
            "rental": "rental_price",
            "timebank": "timebank_hours",
        }
        for mode in chosen:
            if mode in needs and not (data.get(needs[mode]) or "").strip():
                self.add_error(needs[mode], f"Give a price for {Mode(mode).label}.")
        if "service" in chosen and not self._package_rows(data):
            self.add_error("service_1_name", "Add at least one package.")
        kept = len(self.existing_images) - len(data.get("remove_images") or [])
        new = len(data.get("images") or [])
        if kept + new > MAX_IMAGES:
            self.add_error(
                "images",
                f"A listing has at most {MAX_IMAGES} images; "
                f"you would have {kept + new}.",
            )
        return data

    def _package_rows(self, data) -> list[int]:
        return [
            row
            for row in range(1, PACKAGE_ROWS + 1)
            if any(
                (data.get(f"service_{row}_{part}") or "").strip()
                for part in ("name", "price", "days", "revisions", "description")
            )
        ]

    # --- The service's shape ------------------------------------------------------
    def modes(self) -> list[dict[str, Any]]:
        """The chosen modes as the API's dictionaries, in a fixed order."""
        data = self.cleaned_data
        currency = data["currency"]
        self._mode_order: list[str] = []
        self._package_order: list[int] = []
        out: list[dict[str, Any]] = []

        def money(text: str) -> dict[str, str]:
            return {"amount": (text or "").strip(), "currency": currency}

        def hours(text: str) -> dict[str, str]:
            return {"amount": (text or "").strip(), "currency": "HOUR"}

        for mode in self.mode_names:
            if not data.get(f"mode_{mode}"):
                continue
            item: dict[str, Any] = {"mode": mode}
            if mode == "made_to_order":
                item["price"] = money(data["made_to_order_price"])
                item["options"] = options_parse(data["made_to_order_options"], currency)
                # The web editor does not edit personalisation prompts; keep any
                # the listing has (set through the API).
                existing = self._existing_mode(mode)
                if existing is not None and existing.personalisation:
                    item["personalisation"] = existing.personalisation
            elif mode == "service":
                self._package_order = self._package_rows(data)
                item["packages"] = [
                    {
                        "name": data[f"service_{row}_name"],
                        "description": data[f"service_{row}_description"],
                        "price": money(data[f"service_{row}_price"]),
                        "delivery_days": _int_or_text(data[f"service_{row}_days"]),
                        "revisions": _int_or_text(
                            data[f"service_{row}_revisions"] or "0"
                        ),
                        "commercial_use": bool(data[f"service_{row}_commercial"]),
                        "credit_required": bool(data[f"service_{row}_credit"]),
                    }
                    for row in self._package_order
                ]
            elif mode == "rental":
                item["price"] = money(data["rental_price"])
                item["unit"] = data["rental_unit"] or "day"
                if (data["rental_deposit"] or "").strip():
                    item["deposit"] = money(data["rental_deposit"])
            elif mode == "lend":
                if (data["lend_hours"] or "").strip():
                    item["hours"] = hours(data["lend_hours"])
            elif mode == "swap":
                item["wants"] = data["swap_wants"]
            elif mode == "timebank":
                item["hours"] = hours(data["timebank_hours"])
            out.append(item)
            self._mode_order.append(mode)
        return out

    def _existing_mode(self, mode: str) -> ListingMode | None:
        if self.listing is None:
            return None
        return next((m for m in self.listing.modes.all() if m.mode == mode), None)

    def custom(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {}
        for f in self.custom_fields:
            value = data.get(f"custom_{f.key}")
            if value not in (None, ""):
                values[f.key] = value
        return values

    def fields_for_service(self) -> dict[str, Any]:
        """Everything but images and modes, in the services' keyword shape."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "tags": comma_list(data["tags"]),
            "category": data.get("category") or None,
            "custom": self.custom(),
            "city": data["city"],
            "country": data["country"],
        }

    def kind(self) -> str:
        """A new listing's kind: a request for help when asked (time bank only)."""
        data = self.cleaned_data
        asked = data.get("mode_timebank") and data.get("timebank_request")
        return Listing.Kind.REQUEST if asked else Listing.Kind.OFFER

    def kept_image_ids(self) -> list[str]:
        removed = set(self.cleaned_data.get("remove_images") or [])
        return [
            str(i.upload.public_id)
            for i in self.existing_images
            if str(i.upload.public_id) not in removed
        ]

    # --- Errors from the service --------------------------------------------------
    def add_service_error(self, exc: SelfworkError) -> None:
        """Put a service error beside the input it is about, in the form's words."""
        path = getattr(exc, "field", None) or ""
        name = "images" if exc.code in UPLOAD_CODES else self._field_for(path)
        detail = exc.detail
        if name is not None and path and path in detail:
            detail = detail.replace(path, str(self.fields[name].label or name), 1)
        self.add_error(name, detail)

    def _field_for(self, path: str) -> str | None:
        if path in self.fields:
            return path
        if path == "file" or path == "images":
            return "images"
        if path.startswith("custom."):
            name = f"custom_{path[len('custom.') :]}"
            return name if name in self.fields else None
        match = _PATH.match(path)
        if not match:
            return None
        order = getattr(self, "_mode_order", [])
        index, rest = int(match.group(1)), match.group(2) or ""
        if index >= len(order):
            return None
        mode = order[index]
        if rest.endswith(".currency") or rest.endswith("currency"):
            return "currency"
        if mode == "service":
            package = _PACKAGE.match(rest)
            if package and int(package.group(1)) < len(self._package_order):
                row = self._package_order[int(package.group(1))]
                part = PACKAGE_PARTS.get(package.group(2) or "name", "name")
                return f"service_{row}_{part}"
            return "service_1_name"
        head = rest.split(".", 1)[0].split("[", 1)[0]
        candidates = {
            "price": f"{mode}_price",
            "hours": f"{mode}_hours",
            "deposit": "rental_deposit",
            "unit": "rental_unit",
            "wants": "swap_wants",
            "options": "made_to_order_options",
        }
        candidate = candidates.get(head)
        if candidate is not None and candidate in self.fields:
            return candidate
        return f"mode_{mode}"


def listing_initial(listing: Listing, fields: list[ListingField]) -> dict[str, Any]:
    """The editor's starting values for an existing listing."""
    initial: dict[str, Any] = {
        "title": listing.title,
        "description": listing.description,
        "tags": ", ".join(listing.tags),
        "category": listing.category.slug if listing.category else "",
        "city": listing.city,
        "country": listing.country,
        "currency": listing.community.currency,
    }
    for f in fields:
        value = listing.custom.get(f.key)
        if isinstance(value, bool):
            value = "true" if value else "false"
        if value is not None:
            initial[f"custom_{f.key}"] = str(value)
    for row in listing.modes.all():
        initial[f"mode_{row.mode}"] = True
        unit = row.unit
        if unit and unit != "HOUR":
            initial["currency"] = unit
        if row.mode == "made_to_order" and row.price_minor:
            initial["made_to_order_price"] = Money(row.price_minor, unit).amount
            initial["made_to_order_options"] = options_format(row.options, unit)
        elif row.mode == "service":
            for n, package in enumerate(row.packages.all(), start=1):
                initial[f"service_{n}_name"] = package.name
                initial[f"service_{n}_description"] = package.description
                initial[f"service_{n}_price"] = Money(
                    package.price_minor, package.unit
                ).amount
                initial[f"service_{n}_days"] = package.delivery_days
                initial[f"service_{n}_revisions"] = package.revisions
                initial[f"service_{n}_commercial"] = package.commercial_use
                initial[f"service_{n}_credit"] = package.credit_required
        elif row.mode == "rental" and row.price_minor:
            initial["rental_price"] = Money(row.price_minor, unit).amount
            initial["rental_unit"] = row.rental_unit or "day"
            if row.deposit_minor:
                initial["rental_deposit"] = Money(row.deposit_minor, unit).amount
        elif row.mode in {"lend", "timebank"} and row.price_minor:
            initial[f"{row.mode}_hours"] = Money(row.price_minor, "HOUR").amount
        elif row.mode == "swap":
            initial["swap_wants"] = row.wants
    return initial


WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class AvailabilityForm(forms.Form):
    """A listing's calendar rules, in ``availability_set``'s shape.

    Opening hours are one window per weekday (hourly listings only): a day left
    empty is closed, and all days empty means open around the clock. Blocked
    periods have their own small form.
    """

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Days and opening hours begin and end in this zone."),
    )
    min_units = forms.IntegerField(label=_("Shortest booking"), min_value=1)
    max_units = forms.IntegerField(
        label=_("Longest booking"), min_value=1, required=False
    )
    buffer_minutes = forms.IntegerField(
        label=_("Buffer between bookings, in minutes"),
        min_value=0,
        max_value=MAX_BUFFER_MINUTES,
        help_text=_("Time to clean, charge or check the item before the next booking."),
    )
    advance_days = forms.IntegerField(
        label=_("How far ahead it may be booked, in days"),
        min_value=1,
        max_value=MAX_ADVANCE_DAYS,
    )
    instant_booking = forms.BooleanField(
        label=_("Instant booking: accept requests for free periods without asking me"),
        required=False,
    )
    cancellation_policy = forms.ChoiceField(
        label=_("Cancellation policy"),
        choices=CancellationPolicy.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, unit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        choice_field(self, "time_zone").choices = [(z, z) for z in sorted(TIME_ZONES)]
        if unit == "hour":
            self.fields["min_units"].help_text = _("In hours.")
            self.fields["max_units"].help_text = _("In hours; empty for no limit.")
            for key, name in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True):
                labels = {
                    "opens": _("%(weekday)s: opens at") % {"weekday": name},
                    "closes": _("%(weekday)s: closes at") % {"weekday": name},
                }
                for part, label in labels.items():
                    self.fields[f"{part}_{key}"] = forms.CharField(
                        label=label,
                        required=False,
                        max_length=5,
                        widget=forms.TimeInput(attrs={"type": "time"}),
                    )
        else:
            self.fields["min_units"].help_text = _("In days.")
            self.fields["max_units"].help_text = _("In days; empty for no limit.")

    def opening_rows(self) -> list[tuple[Any, Any, Any]]:
        """(weekday name, opens field, closes field) for the template."""
        if self.unit != "hour":
            return []
        return [
            (name, self[f"opens_{key}"], self[f"closes_{key}"])
            for key, name in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)
        ]

    def settings(self) -> dict[str, Any]:
        """The cleaned rules as ``availability_set`` keywords."""
        data = self.cleaned_data
        hours = []
        if self.unit == "hour":
            for key in WEEKDAYS:
                opens, closes = data.get(f"opens_{key}"), data.get(f"closes_{key}")
                if opens or closes:
                    hours.append(
                        {"weekday": key, "opens": opens or "", "closes": closes or ""}
                    )
        return {
            "time_zone": data["time_zone"],
            "opening_hours": hours,
            "min_units": data["min_units"],
            "max_units": data["max_units"],
            "buffer_minutes": data["buffer_minutes"],
            "advance_days": data["advance_days"],
            "instant_booking": data["instant_booking"],
            "cancellation_policy": data["cancellation_policy"],
        }

    def add_service_error(self, exc: SelfworkError) -> None:
        """Put a service error beside the input it names (opening hours by weekday)."""
        path = getattr(exc, "field", None) or ""
        match = re.match(r"^opening_hours\[(\d+)\]\.?(\w*)", path)
        name: str | None = path if path in self.fields else None
        if match and self.unit == "hour":
            keys = [
                k
                for k in WEEKDAYS
                if self.data.get(f"opens_{k}") or self.data.get(f"closes_{k}")
            ]
            index = int(match.group(1))
            if index < len(keys):
                part = (
                    match.group(2) if match.group(2) in ("opens", "closes") else "opens"
                )
                name = f"{part}_{keys[index]}"
        self.add_error(name, exc.detail)


class BlockedPeriodForm(forms.Form):
    """Keep some days off the calendar: first and last day, both included."""

    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(
        label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note to yourself"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day cannot be before the first."))
        return data

    def period(self) -> dict[str, Any]:
        """``blocked_period_add`` keywords: the end is the day after the last day."""
        data = self.cleaned_data
        return {
            "start": data["first_day"],
            "end": data["last_day"] + dt.timedelta(days=1),
            "note": data["note"],
        }
