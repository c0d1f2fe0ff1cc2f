"""Web pages of a community's board: the list with its new-post form, and one post
with its replies and the forms its reader may use.

Each POST loads its subject with one selector, runs one service and redirects,
or shows the page again with the error beside its field (422), so nothing typed
is lost. A form the page never offered this person (a member's vote on their
own post, a moderation button for a non-host) is a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from selfwork.accounts.forms import uploads_atomic, uploads_store
from selfwork.boards import selectors, services
from selfwork.boards.forms import PostForm, ReplyForm
from selfwork.boards.models import Post
from selfwork.communities.models import Community, Membership
from selfwork.communities.selectors import community_get, membership_get
from selfwork.core.errors import InvalidInput, NotFound, SelfworkError
from selfwork.core.throttle import throttle_check

BOARD_PAGE = 24
# What each button does, as the member is told once it is done.
DONE = {
    "vote": _("Your vote is counted."),
    "unvote": _("Your vote is taken back."),
    "accept": _("You marked the accepted answer."),
    "pin": _("The post is pinned to the top of the board."),
    "unpin": _("The post is no longer pinned."),
    "lock": _("The post is locked: it takes no more replies."),
    "unlock": _("The post is open to replies again."),
    "hide": _("The post is hidden from the board."),
    "unhide": _("The post is on the board again."),
    "remove": _("The post is removed."),
    "remove_reply": _("The reply is removed."),
}


def _community(request: HttpRequest, slug: str) -> Community:
    try:
        return community_get(slug=slug, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _roles(membership: Membership | None) -> dict[str, bool]:
    if membership is None or not membership.is_active:
        return {"is_member": False, "is_host": False, "can_moderate": False}
    return {
        "is_member": True,
        "is_host": membership.role == Membership.Role.HOST,
        "can_moderate": membership.can_moderate,
    }


def _refuse(request: HttpRequest, exc: SelfworkError, *, back: str) -> HttpResponse:
    """A refused button: 403 for a form this person was never shown, else a notice."""
    if exc.status == 403:
        raise PermissionDenied(exc.detail) from exc
    if exc.status == 404:
        raise Http404(exc.detail) from exc
    messages.error(request, exc.detail)
    return redirect(back)


# --- The board --------------------------------------------------------------------


def board(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's board; a POST is a new post from a member."""
    community = _community(request, slug)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        return _post_create(request, community)
    return _board_page(request, community)


def _board_page(
    request: HttpRequest,
    community: Community,
    *,
    form: PostForm | None = None,
    status: int = 200,
) -> HttpResponse:
    kind = str(request.GET.get("kind", ""))[:20]
    if kind not in Post.Kind.values:
        kind = ""
    q = str(request.GET.get("q", "")).strip()[:200]
    query = selectors.BoardQuery(
        kind=kind or None,
        q=q,
        cursor=request.GET.get("cursor") or None,
        limit=BOARD_PAGE,
    )
    try:
        page = selectors.board_posts(
            community=community, viewer=request.user, query=query
        )
    except InvalidInput:
        page = selectors.board_posts(
            community=community,
            viewer=request.user,
            query=selectors.BoardQuery(kind=kind or None, q=q, limit=BOARD_PAGE),
        )
    unread = {p.pk for p in page.items if selectors.post_unread(p, viewer=request.user)}
    membership = membership_get(community=community, member=request.user)
    roles = _roles(membership)
    if form is None and roles["is_member"]:
        form = PostForm(host=roles["is_host"])
    return render(
        request,
        "boards/board.html",
        {
            "community": community,
            "membership": membership,
            "posts": page.items,
            "unread": unread,
            "next_cursor": page.next,
            "paging": bool(request.GET.get("cursor")),
            "kind": kind,
            "q": q,
            "kinds": Post.Kind.choices,
            "form": form,
            **roles,
        },
        status=status,
    )


def _post_create(request: HttpRequest, community: Community) -> HttpResponse:
    membership = membership_get(community=community, member=request.user)
    roles = _roles(membership)
    form = PostForm(request.POST, request.FILES, host=roles["is_host"])
    if not form.is_valid():
        return _board_page(request, community, form=form, status=422)
    now = timezone.now()
    try:
        throttle_check(request=request, scope="board_posts", now=now)
        with uploads_atomic() as created:
            uploads_store(
                form.cleaned_data["images"],
                owner=request.user,
                now=now,
                created=created,
            )
            post = services.post_create(
                community=community,
                author=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                images=[str(u.public_id) for u in created],
                now=now,
            )
    except SelfworkError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.detail) from exc
        form.add_service_error(exc)
        return _board_page(request, community, form=form, status=exc.status)
    messages.success(request, gettext("Your post is on the board."))
    return redirect("web:board_post", slug=community.slug, public_id=post.public_id)


# --- One post ------------------------------------------------------------------------


def board_post(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    """A post with its replies; a POST is one of the page's buttons or forms."""
    community = _community(request, slug)
    try:
        post = selectors.post_get(public_id=public_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if post.community_id != community.pk:
        raise Http404("No such post on this board.")
    if request.method != "POST":
        return _post_page(request, post)
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    action = str(request.POST.get("action", ""))
    if action == "reply":
        return _reply_create(request, post)
    if action in ("hide", "remove", "remove_reply"):
        return _with_reason(request, post, action)
    if action in DONE:
        return _button(request, post, action)
    messages.error(request, gettext("That form is not one of this page's."))
    return redirect(_path(post))


def _path(post: Post) -> str:
    return reverse(
        "web:board_post",
        kwargs={"slug": post.community.slug, "public_id": post.public_id},
    )


def _post_page(
    request: HttpRequest,
    post: Post,
    *,
    reply_form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = request.user
    membership = membership_get(community=post.community, member=viewer)
    roles = _roles(membership)
    # What was new before this visit stays marked on it; the next visit is clean.
    read_before = getattr(post, "read_at", None)
    replies = list(selectors.replies_of(post=post))
    new_replies = {
        r.pk
        for r in replies
        if viewer.is_authenticated
        and r.author_id != viewer.pk
        and (read_before is None or r.created_at > read_before)
    }
    if status == 200:
        services.post_mark_read(post=post, member=viewer, now=timezone.now())
    can_reply = roles["is_member"] and post.is_visible and not post.locked
    if reply_form is None and can_reply:
        reply_form = ReplyForm()
    return render(
        request,
        "boards/post.html",
        {
            "post": post,
            "community": post.community,
            "replies": replies,
            "new_replies": new_replies,
            "reply_form": reply_form,
            "is_author": viewer.is_authenticated and post.author_id == viewer.pk,
            "can_vote": roles["is_member"]
            and post.is_visible
            and post.author_id != viewer.pk,
            "can_accept": viewer.is_authenticated
            and post.author_id == viewer.pk
            and post.kind == Post.Kind.QUESTION
            and post.is_visible,
            **roles,
        },
        status=status,
    )


def _reply_create(request: HttpRequest, post: Post) -> HttpResponse:
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _post_page(request, post, reply_form=form, status=422)
    try:
        throttle_check(request=request, scope="board_posts", now=timezone.now())
        services.reply_create(
            post=post,
            author=request.user,
            body=form.cleaned_data["body"],
            now=timezone.now(),
        )
    except SelfworkError as exc:
        if exc.status == 422:
            form.add_service_error(exc)
            return _post_page(request, post, reply_form=form, status=422)
        return _refuse(request, exc, back=_path(post))
    messages.success(request, gettext("Your reply is posted."))
    return redirect(_path(post))


def _button(request: HttpRequest, post: Post, action: str) -> HttpResponse:
    member, now = request.user, timezone.now()
    try:
        if action == "vote":
            services.post_vote(post=post, member=member, now=now)
        elif action == "unvote":
            services.post_unvote(post=post, member=member)
        elif action == "accept":
            reply = selectors.reply_get(
                public_id=request.POST.get("reply", ""), viewer=member
            )
            services.post_accept(post=post, author=member, reply=reply, now=now)
        elif action in ("pin", "unpin"):
            services.post_pin(post=post, actor=member, pinned=action == "pin", now=now)
        elif action in ("lock", "unlock"):
            services.post_lock(
                post=post, actor=member, locked=action == "lock", now=now
            )
        else:
            services.post_unhide(post=post, actor=member, now=now)
    except SelfworkError as exc:
        return _refuse(request, exc, back=_path(post))
    messages.success(request, DONE[action])
    return redirect(_path(post))


def _with_reason(request: HttpRequest, post: Post, action: str) -> HttpResponse:
    member, now = request.user, timezone.now()
    reason = str(request.POST.get("reason", ""))
    try:
        if action == "hide":
            services.post_hide(post=post, actor=member, reason=reason, now=now)
        elif action == "remove":
            services.post_remove(post=post, actor=member, reason=reason, now=now)
        else:
            reply = selectors.reply_get(
                public_id=request.POST.get("reply", ""), viewer=member
            )
            if reply.post_id != post.pk:
                raise Http404("No such reply on this post.")
            services.reply_remove(reply=reply, actor=member, reason=reason, now=now)
    except SelfworkError as exc:
        if exc.status == 422:
            messages.error(request, exc.detail)
            return redirect(_path(post))
        return _refuse(request, exc, back=_path(post))
    messages.success(request, DONE[action])
    if action == "remove":
        return redirect("web:board", slug=post.community.slug)
    return redirect(_path(post))
