"""Web forms for conversations: the first message to a member, and a reply.

They only shape what was typed; the services judge it, and a service's error is
shown beside the input it names (or above the form).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from selfwork.accounts.forms import UPLOAD_CODES
from selfwork.catalog.forms import MultipleFileField
from selfwork.conversations.services import BODY_MAX, MAX_IMAGES
from selfwork.core.errors import SelfworkError


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=BODY_MAX * 4,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BODY_MAX}),
        help_text=_("Markdown: **bold**, *italic*, lists and links. No HTML."),
    )
    images = MultipleFileField(
        label=_("Images"),
        required=False,
        help_text=_("Up to %(count)s PNG, JPEG or WebP images.")
        % {"count": MAX_IMAGES},
    )

    def add_service_error(self, exc: SelfworkError) -> None:
        """Show ``exc`` beside the input it is about, else above the form."""
        name: str | None = str(getattr(exc, "field", None) or "") or None
        if exc.code in UPLOAD_CODES or name == "images":
            name = "images"
        if name not in self.fields:
            name = None
        self.add_error(name, exc.detail)
