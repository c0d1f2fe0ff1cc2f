"""Forms of the exchange pages that start an exchange from a listing."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX = 2000


class GiftRequestForm(forms.Form):
    """Ask for a gift, with a few words to the giver."""

    message = forms.CharField(
        label=_("Your message to the giver"),
        help_text=_("Why you would like it, and when you could collect it."),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SwapProposalForm(forms.Form):
    """Propose one of the member's swap listings in return for another's."""

    offered_listing = forms.ChoiceField(label=_("What you offer in return"))
    message = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, offers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["offered_listing"])
        field.choices = [(str(o.public_id), o.title) for o in offers]
