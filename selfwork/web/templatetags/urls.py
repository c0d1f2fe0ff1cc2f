"""``{% url %}`` that remembers its answers: a template builtin in place of Django's.

Django's ``reverse`` walks the URL patterns each time (about 0.1-0.3 ms), and a
page's menus, footer and cards ask it for a few dozen links. A link depends
only on its name and arguments and on what ``reverse`` reads around them (the
URL conf, the script prefix, the language), so each answer is kept under those
for the life of the process. Arguments other than text, numbers and UUIDs are
not kept: an object's text could change while it stays equal to itself.
"""

import uuid
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

_KEPT_TYPES = (str, int, uuid.UUID)


@lru_cache(maxsize=8192)
def _reversed(
    view_name: str,
    args: tuple,
    kwargs: tuple,
    current_app: str | None,
    urlconf: str | None,
    root: str,
    prefix: str,
    language: str | None,
) -> str:
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def _link(view_name: str, args: list, kwargs: dict, current_app: str | None) -> str:
    values = [*args, *kwargs.values()]
    if not isinstance(view_name, str) or not all(
        type(v) in _KEPT_TYPES for v in values
    ):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reversed(
        view_name,
        tuple(args),
        tuple(sorted(kwargs.items())),
        current_app,
        get_urlconf(),
        settings.ROOT_URLCONF,
        get_script_prefix(),
        get_language(),
    )


class KeptURLNode(URLNode):
    """Renders as ``URLNode`` does, reversing through ``_link``."""

    def render(self, context):
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(
                getattr(request, "resolver_match", None), "namespace", None
            )
        url = ""
        try:
            url = _link(
                self.view_name.resolve(context),
                [arg.resolve(context) for arg in self.args],
                {k: v.resolve(context) for k, v in self.kwargs.items()},
                current_app,
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}``, its answers kept (see the module)."""
    node = url_tag(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
