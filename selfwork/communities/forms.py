"""Web forms for communities. They shape input; ``communities.services`` judges it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from selfwork.accounts.forms import choice_field, comma_list, currency_choices
from selfwork.communities.models import Community, ListingField, Membership, Mode
from selfwork.core.money import HOUR, Money

VISIBILITY_HELP = {
    "public": _("Anyone can see it and join."),
    "invite_only": _("Anyone can see it; people join when a host invites them."),
    "private": _("Only members can see it, and people join by invitation."),
}


class CommunityForm(forms.Form):
    """Start a community."""

    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("Wellington Makers")}),
    )
    slug = forms.CharField(
        label=_("Address"),
        max_length=50,
        help_text=_(
            "3 to 50 lower-case letters, digits and “-”: your community "
            "lives at /c/<address>/."
        ),
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "none",
                "spellcheck": "false",
                "placeholder": "wellington-makers",
                "data-slug-from": "id_name",
            }
        ),
    )
    tagline = forms.CharField(
        label=_("Tagline"),
        max_length=160,
        required=False,
        help_text=_("One line under the name."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        required=False,
        help_text=_("Who it is for and how it works. Markdown works."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        initial="EUR",
        help_text=_("The currency prices default to."),
    )
    fee_percent = forms.CharField(
        label=_("Provider fee (%)"),
        max_length=10,
        initial="0",
        help_text=_("Taken from each sale, 0 to 50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "6"}),
    )
    customer_fee_percent = forms.CharField(
        label=_("Customer fee (%)"),
        max_length=10,
        initial="0",
        help_text=_("Added on top of the price for the buyer, 0 to 50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "6"}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Community.Visibility.choices,
        initial="public",
        widget=forms.RadioSelect,
    )
    membership_approval = forms.BooleanField(
        label=_("Hosts approve each new member"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "currency").choices = currency_choices()

    def settings(self) -> dict:
        data = self.cleaned_data
        return {
            "tagline": data["tagline"],
            "description": data["description"],
            "currency": data["currency"],
            "fee_percent": data["fee_percent"].strip() or "0",
            "customer_fee_percent": data["customer_fee_percent"].strip() or "0",
            "visibility": data["visibility"],
            "membership_approval": data["membership_approval"],
        }


class CommunitySettingsForm(CommunityForm):
    """Change a community's settings (hosts)."""

    minimum_fee = forms.CharField(
        label=_("Minimum fee"),
        max_length=20,
        required=False,
        help_text=_("In the community's currency; 0 for none."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "8"}),
    )
    treasury_share_percent = forms.CharField(
        label=_("Treasury share (%)"),
        max_length=10,
        required=False,
        help_text=_(
            "The part of every fee kept by the community treasury; the "
            "rest goes to the operator."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "6"}),
    )
    payment_instructions = forms.CharField(
        label=_("How to pay by hand"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Where this community is paid by cash or transfer: what customers "
            "should do (an account number, where to meet). Markdown."
        ),
    )
    timebank_enabled = forms.BooleanField(
        label=_("Run a time bank"),
        required=False,
        help_text=_(
            "Members hold hours here and exchange an hour of time for an hour."
        ),
    )
    timebank_starting_credit = forms.CharField(
        label=_("Starting credit (hours)"),
        max_length=20,
        required=False,
        help_text=_("Given once to each member when they join; 0 for none."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "8"}),
    )
    timebank_floor = forms.CharField(
        label=_("Floor (hours)"),
        max_length=20,
        required=False,
        help_text=_("How far into debt a member may go, such as -20."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "8"}),
    )
    timebank_ceiling = forms.CharField(
        label=_("Ceiling (hours)"),
        max_length=20,
        required=False,
        help_text=_("The most hours a member may hold."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "8"}),
    )
    enabled_modes = forms.MultipleChoiceField(
        label=_("Ways to exchange"),
        choices=Mode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Listings may use only the modes you enable."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["slug"]

    @staticmethod
    def initial_of(community: Community) -> dict:
        return {
            "name": community.name,
            "tagline": community.tagline,
            "description": community.description,
            "currency": community.currency,
            "fee_percent": _percent_text(community.fee_percent),
            "customer_fee_percent": _percent_text(community.customer_fee_percent),
            "minimum_fee": Money(
                community.minimum_fee_minor, community.currency
            ).amount,
            "treasury_share_percent": _percent_text(community.treasury_share_percent),
            "visibility": community.visibility,
            "membership_approval": community.membership_approval,
            "enabled_modes": community.enabled_modes,
            "payment_instructions": community.payment_instructions,
            "timebank_enabled": community.timebank_enabled,
            "timebank_starting_credit": Money(
                community.timebank_starting_minor, HOUR
            ).amount,
            "timebank_floor": Money(community.timebank_floor_minor, HOUR).amount,
            "timebank_ceiling": Money(community.timebank_ceiling_minor, HOUR).amount,
        }

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            **self.settings(),
            "minimum_fee": data["minimum_fee"].strip() or "0",
            "treasury_share_percent": data["treasury_share_percent"].strip() or "0",
            "enabled_modes": data["enabled_modes"],
            "payment_instructions": data["payment_instructions"],
            "timebank_enabled": data["timebank_enabled"],
            **{
                name: {"amount": data[name].strip() or default, "currency": HOUR}
                for name, default in (
                    ("timebank_starting_credit", "0"),
                    ("timebank_floor", "-20"),
                    ("timebank_ceiling", "100"),
                )
            },
        }


def _percent_text(value) -> str:
    return f"{value.normalize():f}" if value is not None else "0"


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Category name"), max_length=80)
    slug = forms.CharField(
        label=_("Category address"),
        max_length=50,
        help_text=_("Lower-case letters, digits and “-”, e.g. book-covers."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "none", "data-slug-from": "id_category-name"}
        ),
    )


class ListingFieldForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=80)
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_("Lower-case letters, digits and “_”, e.g. paper_size."),
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "none",
                "data-slug-from": "id_field-label",
                "data-slug-sep": "_",
            }
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ListingField.Kind.choices)
    choices = forms.CharField(
        label=_("Choices"),
        max_length=3000,
        required=False,
        help_text=_("For a choice field: the options, separated by commas."),
    )
    required = forms.BooleanField(
        label=_("Every listing must fill it in"), required=False
    )

    def choice_list(self) -> list[str]:
        return comma_list(self.cleaned_data["choices"])


class InviteForm(forms.Form):
    username = forms.CharField(
        label=_("Invite someone by username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class BrandingForm(forms.Form):
    """A community's look and pages: logo, cover, accent colour, about, rules, contact."""

    logo = forms.FileField(
        label=_("New logo"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF; shown square beside the name."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    cover = forms.FileField(
        label=_("New cover image"),
        required=False,
        help_text=_("A wide image behind the community's name."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover"), required=False)
    accent_color = forms.CharField(
        label=_("Accent colour"),
        max_length=20,
        required=False,
        help_text=_(
            "A colour such as #1d4ed8 for buttons and links. It must read at 4.5:1 "
            "or better on the page background and under white text; empty for "
            "the default."
        ),
        widget=forms.TextInput(
            attrs={"placeholder": "#1d4ed8", "size": "8", "spellcheck": "false"}
        ),
    )
    about = forms.CharField(
        label=_("About page"),
        max_length=10000,
        required=False,
        help_text=_("The story of the community, at /c/<address>/about/. Markdown."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    rules = forms.CharField(
        label=_("Rules"),
        max_length=10000,
        required=False,
        help_text=_("What members agree to, at /c/<address>/rules/. Markdown."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    contact = forms.CharField(
        label=_("Contact"),
        max_length=2000,
        required=False,
        help_text=_("How to reach the hosts, at /c/<address>/contact/. Markdown."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    domain = forms.CharField(
        label=_("Own domain"),
        max_length=253,
        required=False,
        help_text=_(
            "A host name such as market.example.org that shows this community as "
            "a whole site. Point it at this server (a CNAME) and ask the operator "
            "for a certificate; empty for none."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )

    @staticmethod
    def initial_of(community: Community) -> dict:
        return {
            "accent_color": community.accent_color,
            "about": community.about,
            "rules": community.rules,
            "contact": community.contact,
            "domain": community.domain or "",
        }

    def changes(self) -> dict:
        """The text changes in ``community_update``'s shape (images handled apart)."""
        data = self.cleaned_data
        changes = {
            name: data[name]
            for name in ("accent_color", "about", "rules", "contact", "domain")
        }
        for image in ("logo", "cover"):
            if not data[image] and data[f"remove_{image}"]:
                changes[image] = None
        return changes
