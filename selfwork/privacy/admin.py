"""Data requests in the admin: staff export or close a member's account on request.

The members' admin is ``accounts``'; it cannot know about exchanges or money, so
this app registers it again with two actions that call the same code as the
member's own buttons.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from selfwork.accounts.admin import MemberAdmin
from selfwork.accounts.models import Member
from selfwork.core.errors import SelfworkError
from selfwork.privacy.export import export_filename, member_export
from selfwork.privacy.services import member_close


class DataRequestsMemberAdmin(MemberAdmin):
    actions = ["export_data", "close_account"]

    @admin.action(description="Download the member's data (one member)")
    def export_data(
        self, request: HttpRequest, queryset: QuerySet[Member]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one member to export."), messages.ERROR
            )
            return None
        member, at = queryset.get(), timezone.now()
        response = HttpResponse(
            member_export(member=member, now=at), content_type="application/zip"
        )
        name = export_filename(member=member, now=at)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Close the account at the member's request")
    def close_account(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        for member in queryset.filter(closed_at__isnull=True).order_by("pk"):
            username = member.username
            try:
                member_close(
                    member=member, password=None, by_staff=True, now=timezone.now()
                )
            except SelfworkError as exc:
                self.message_user(
                    request,
                    _("%(username)s: not closed. %(detail)s")
                    % {"username": username, "detail": exc.detail},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("%(username)s: account closed.") % {"username": username},
                    messages.SUCCESS,
                )


admin.site.unregister(Member)
admin.site.register(Member, DataRequestsMemberAdmin)
