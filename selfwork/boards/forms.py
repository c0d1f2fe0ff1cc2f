"""Web forms for the board: a new post and a reply.

They only shape what was typed; the services judge it, and a service's
``InvalidInput`` is shown beside the input it names.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from selfwork.accounts.forms import UPLOAD_CODES
from selfwork.boards.models import Post
from selfwork.boards.services import BODY_MAX, MAX_IMAGES, REPLY_MAX
from selfwork.catalog.forms import MultipleFileField
from selfwork.core.errors import SelfworkError

KIND_CHOICES_FOR_MEMBERS = [
    (value, label) for value, label in Post.Kind.choices if value != "announcement"
]


class ServiceErrorsForm(forms.Form):
    """A form that shows a service's error beside the input it is about."""

    def add_service_error(self, exc: SelfworkError) -> None:
        name: str | None = str(getattr(exc, "field", None) or "") or None
        if exc.code in UPLOAD_CODES or name == "images":
            name = "images" if "images" in self.fields else None
        if name is not None and name not in self.fields:
            name = None
        self.add_error(name, exc.detail)


class PostForm(ServiceErrorsForm):
    kind = forms.ChoiceField(label=_("What are you posting?"))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Does anyone have a ladder I could borrow?")}
        ),
    )
    body = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=BODY_MAX + 100,
        help_text=_(
            "Markdown works: **bold**, *italic*, lists and links. "
            "Mention a neighbour as @username and they hear about it."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    images = MultipleFileField(
        label=_("Images"),
        required=False,
        help_text=_("Up to %(count)s JPEG, PNG, WebP or GIF images.")
        % {"count": MAX_IMAGES},
    )

    def __init__(self, *args: Any, host: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = list(Post.Kind.choices) if host else KIND_CHOICES_FOR_MEMBERS

    def clean_images(self) -> list:
        files = self.cleaned_data.get("images") or []
        if len(files) > MAX_IMAGES:
            raise forms.ValidationError(
                ngettext(
                    "Add at most %(count)s image.",
                    "Add at most %(count)s images.",
                    MAX_IMAGES,
                )
                % {"count": MAX_IMAGES}
            )
        return files


class ReplyForm(ServiceErrorsForm):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=REPLY_MAX + 100,
        help_text=_("Markdown works. Mention someone as @username."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
