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


REVIEW_MAX = 5000
SCORES = [(str(n), str(n)) for n in range(5, 0, -1)]
OPTIONAL_SCORES = [("", _("No rating")), *SCORES]


class ReviewForm(forms.Form):
    """Review the other party of an exchange that ended successfully."""

    rating = forms.TypedChoiceField(
        label=_("Your rating, from 1 (poor) to 5 (excellent)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your review"),
        help_text=_("What went well, and what could be better. Markdown works."),
        max_length=REVIEW_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    communication = forms.TypedChoiceField(
        label=_("Communication"),
        choices=OPTIONAL_SCORES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    quality = forms.TypedChoiceField(
        label=_("Quality"),
        choices=OPTIONAL_SCORES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    on_time = forms.TypedChoiceField(
        label=_("On time"),
        choices=OPTIONAL_SCORES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, customer: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not customer:
            for name in ("communication", "quality", "on_time"):
                del self.fields[name]


class ReviewReplyForm(forms.Form):
    """The reviewed member's one public reply."""

    text = forms.CharField(
        label=_("Your public reply"),
        max_length=REVIEW_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewHideForm(forms.Form):
    """A host hides a review that breaks the community's rules."""

    reason = forms.CharField(
        label=_("Which rule it breaks"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
