"""Web pages of conversations: my inbox, a new conversation, one conversation.

A refused message keeps what was typed and shows why: with htmx the form is
swapped for itself with the error; without JavaScript the page comes back with
the error beside the form and a 4xx status. Someone else's conversation is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from selfwork.accounts.forms import uploads_atomic, uploads_store
from selfwork.conversations import selectors, services
from selfwork.conversations.forms import MessageForm
from selfwork.conversations.models import Participant
from selfwork.core.errors import NotFound, SelfworkError
from selfwork.core.throttle import throttle_check

INBOX_PAGE = 30
# A conversation page shows this many of the newest messages; the API pages all.
THREAD_PAGE = 200
BLOCKED = {
    "block": _("You blocked this member. They can no longer write to you."),
    "unblock": _("You unblocked this member. They may write to you again."),
}


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """My conversations, newest activity first, with their unread counts."""
    try:
        page = selectors.inbox_page(
            member=request.user,
            cursor=request.GET.get("cursor") or None,
            limit=INBOX_PAGE,
        )
    except SelfworkError:
        page = selectors.inbox_page(member=request.user, cursor=None, limit=INBOX_PAGE)
    rows = [(side, side.conversation.other(request.user)) for side in page.items]
    return render(
        request,
        "conversations/inbox.html",
        {"rows": rows, "next_cursor": page.next},
    )


@require_GET
def unread_link(request: HttpRequest) -> HttpResponse:
    """The header's link text, "Messages (n)", loaded by htmx after the page.

    Loading it apart keeps every other page's queries as they were.
    """
    count = selectors.unread_total(member=request.user)
    return render(request, "conversations/_unread_link.html", {"unread_count": count})


def _recipient_and_listing(request: HttpRequest) -> tuple[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return str(source.get("to", ""))[:200], str(source.get("listing", ""))[:100]


@login_required
def conversation_new(request: HttpRequest) -> HttpResponse:
    """Write to a member (``?to=username``, about ``?listing=id`` or not).

    When the two already talk about the same listing, the message joins that
    conversation.
    """
    to, listing = _recipient_and_listing(request)
    try:
        recipient = services.recipient_get(sender=request.user, username=to)
        subject = services.subject_get(
            listing=listing, sender=request.user, recipient=recipient
        )
    except SelfworkError as exc:
        raise Http404(exc.detail) from exc
    existing = selectors.conversation_between(
        member=request.user, other=recipient, listing=subject
    )
    if request.method != "POST":
        if existing is not None:
            return redirect("web:conversation", public_id=existing.public_id)
        return _new_page(request, recipient, subject, MessageForm())
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _new_page(request, recipient, subject, form, status=422)
    now = timezone.now()
    try:
        throttle_check(request=request, scope="messages", now=now)
        with uploads_atomic() as created:
            uploads_store(
                form.cleaned_data["images"],
                owner=request.user,
                now=now,
                created=created,
            )
            started = services.conversation_start(
                sender=request.user,
                to=recipient.username,
                listing=str(subject.public_id) if subject else None,
                body=form.cleaned_data["body"],
                images=[str(u.public_id) for u in created],
                now=now,
            )
    except SelfworkError as exc:
        form.add_service_error(exc)
        return _new_page(request, recipient, subject, form, status=exc.status)
    messages.success(request, gettext("Your message is sent."))
    target = reverse(
        "web:conversation", kwargs={"public_id": started.conversation.public_id}
    )
    if _is_htmx(request):
        return HttpResponseClientRedirect(target)
    return redirect(target)


def _new_page(request, recipient, subject, form, *, status: int = 200) -> HttpResponse:
    template = "conversations/_form.html" if _is_htmx(request) else None
    context = {
        "recipient": recipient,
        "listing": subject,
        "form": form,
        "action": request.path,
        "to": recipient.username,
        "listing_id": str(subject.public_id) if subject else "",
    }
    if template is not None:
        # htmx swaps only successful responses: the error arrives as a 200.
        return render(request, template, context)
    return render(request, "conversations/new.html", context, status=status)


def _side(request: HttpRequest, public_id) -> Participant:
    try:
        return selectors.conversation_get(public_id=public_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


@login_required
def conversation(request: HttpRequest, public_id) -> HttpResponse:
    """One conversation; POSTs send a message, block or unblock the other member."""
    side = _side(request, public_id)
    if request.method != "POST":
        return _thread_page(request, side)
    action = str(request.POST.get("action", ""))
    if action == "message":
        return _message_send(request, side)
    if action in BLOCKED:
        return _block(request, side, action)
    messages.error(request, gettext("That form is not one of this page's."))
    return redirect("web:conversation", public_id=side.conversation.public_id)


def _thread_page(
    request: HttpRequest,
    side: Participant,
    *,
    form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    conversation = side.conversation
    other = conversation.other(request.user)
    unread_before = side.unread_count
    thread = selectors.messages_latest(conversation=conversation, limit=THREAD_PAGE)
    if status == 200 and unread_before:
        services.conversation_mark_read(
            conversation=conversation, member=request.user, now=timezone.now()
        )
    context = {
        "conversation": conversation,
        "other": other,
        "thread": thread,
        "new_from": len(thread) - unread_before if unread_before else None,
        "form": form or MessageForm(),
        "action": request.path,
        "i_blocked": selectors.block_exists(blocker=request.user, blocked=other),
    }
    if _is_htmx(request) and form is not None:
        return render(request, "conversations/_form.html", context)
    return render(request, "conversations/conversation.html", context, status=status)


def _message_send(request: HttpRequest, side: Participant) -> HttpResponse:
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _thread_page(request, side, form=form, status=422)
    now = timezone.now()
    try:
        throttle_check(request=request, scope="messages", now=now)
        with uploads_atomic() as created:
            uploads_store(
                form.cleaned_data["images"],
                owner=request.user,
                now=now,
                created=created,
            )
            services.message_send(
                conversation=side.conversation,
                sender=request.user,
                body=form.cleaned_data["body"],
                images=[str(u.public_id) for u in created],
                now=now,
            )
    except SelfworkError as exc:
        form.add_service_error(exc)
        return _thread_page(request, side, form=form, status=exc.status)
    if _is_htmx(request):
        # The page is this one: a refresh shows the message in the thread.
        return HttpResponseClientRefresh()
    return redirect(f"{request.path}#latest")


def _block(request: HttpRequest, side: Participant, action: str) -> HttpResponse:
    other = side.conversation.other(request.user)
    try:
        if action == "block":
            services.member_block(
                blocker=request.user, username=other.username, now=timezone.now()
            )
        else:
            services.member_unblock(blocker=request.user, username=other.username)
    except SelfworkError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, BLOCKED[action])
    return redirect("web:conversation", public_id=side.conversation.public_id)


@login_required
def blocks(request: HttpRequest) -> HttpResponse:
    """The members I blocked; a POST unblocks one (``username``)."""
    if request.method == "POST":
        try:
            services.member_unblock(
                blocker=request.user, username=str(request.POST.get("username", ""))
            )
        except SelfworkError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, BLOCKED["unblock"])
        return redirect("web:conversation_blocks")
    return render(
        request,
        "conversations/blocks.html",
        {"blocks": list(selectors.blocked_by(member=request.user))},
    )
