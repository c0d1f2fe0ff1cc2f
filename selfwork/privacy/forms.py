from django import forms
from django.utils.translation import gettext_lazy as _


class AccountCloseForm(forms.Form):
    """The confirm step of closing an account: the password and an explicit yes."""

    password = forms.CharField(
        label=_("Your password"),
        max_length=500,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that closing my account cannot be undone."),
        required=True,
    )
