"""The community a custom domain serves, for every page's header and title."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from selfwork.communities.models import Community


def site_community(request: HttpRequest) -> dict:
    """``site_community``: on a community's own domain, the community whose name
    and logo stand where selfwork's would; read once, and only if a page shows it."""
    slug = getattr(request, "community_domain", None)
    if not slug:
        return {}
    return {
        "site_community": SimpleLazyObject(
            lambda: Community.objects.select_related("logo").filter(slug=slug).first()
        )
    }
