"""Web pages: the notifications list, their settings, unsubscribing, the operator's mail.

The unsubscribe page works without logging in: its signed token says whose
e-mails of which kind to stop. Its POST is also what a mail client sends for a
one-click unsubscribe (RFC 8058), so it takes no CSRF token.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from selfwork.accounts.models import Member
from selfwork.core.errors import InvalidInput
from selfwork.notifications import selectors, services
from selfwork.notifications.errors import UnsubscribeLinkInvalid
from selfwork.notifications.mail import kind_label
from selfwork.notifications.models import Channel, Kind

PAGE = 30
MAIL_PAGE = 50


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The member's notifications, newest first, unread ones marked."""
    try:
        page = selectors.notifications_page(
            member=request.user, cursor=request.GET.get("cursor"), limit=PAGE
        )
    except InvalidInput:
        return redirect("web:notifications")
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark every notification of the member's read."""
    count = services.notifications_mark_read(
        member=request.user, ids=None, now=timezone.now()
    )
    if count:
        messages.success(
            request,
            ngettext(
                "Marked %(count)s notification as read.",
                "Marked %(count)s notifications as read.",
                count,
            )
            % {"count": count},
        )
    return redirect("web:notifications")


@login_required
def notification_open(request: HttpRequest, public_id: str) -> HttpResponse:
    """Mark one notification read and go to the page it is about."""
    notification = (
        selectors.notifications_for(member=request.user)
        .filter(public_id=public_id)
        .first()
    )
    if notification is None:
        raise Http404("No such notification.")
    services.notifications_mark_read(
        member=request.user, ids=[str(notification.public_id)], now=timezone.now()
    )
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts=None
    ):
        return redirect(notification.link)
    return redirect("web:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Choose, for each kind, how to be told: by e-mail, in a digest, in the app, or not."""
    current = selectors.preferences_for(member=request.user)
    if request.method == "POST":
        choices = {
            kind: request.POST[kind] for kind in Kind.values if kind in request.POST
        }
        try:
            services.preferences_set(
                member=request.user, choices=choices, now=timezone.now()
            )
        except InvalidInput as exc:
            messages.error(request, exc.detail)
            return redirect("web:notification_settings")
        messages.success(request, gettext("Your notification settings are saved."))
        return redirect("web:notification_settings")
    rows = [(kind, label, current[kind]) for kind, label in Kind.choices]
    return render(
        request,
        "notifications/settings.html",
        {"rows": rows, "channels": Channel.choices},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop one kind of e-mail (or all) for the member the token names; no log-in needed.

    GET asks (a link checker following the link must not unsubscribe anyone);
    POST does it, from the page's button or a mail client's one-click request.
    """
    try:
        member_id, kind = services.unsubscribe_read(token)
    except UnsubscribeLinkInvalid as exc:
        return render(
            request, "notifications/unsubscribe.html", {"error": exc.detail}, status=404
        )
    member = Member.objects.filter(public_id=member_id, is_active=True).first()
    if member is None:
        return render(
            request,
            "notifications/unsubscribe.html",
            {"error": gettext("This unsubscribe link belongs to no account any more.")},
            status=404,
        )
    done = False
    if request.method == "POST":
        services.unsubscribe_apply(member=member, kind=kind, now=timezone.now())
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {"what": kind_label(kind), "done": done, "email": member.email},
    )


@login_required
def operator_mail(request: HttpRequest) -> HttpResponse:
    """E-mails that failed or bounced, and those kept instead of sent while no
    SMTP server is configured (staff)."""
    if not request.user.is_staff:
        raise PermissionDenied("Only the operator reads the kept e-mails.")
    return render(
        request,
        "notifications/operator_mail.html",
        {
            "failing": list(selectors.emails_failing()[:MAIL_PAGE]),
            "emails": list(selectors.stored_emails()[:MAIL_PAGE]),
        },
    )
