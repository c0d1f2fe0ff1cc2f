"""The anticipated failures of boards, each with a stable ``code``.

Bad values are ``core.errors.InvalidInput`` (422) naming their field, and
who-may-do-what refusals are ``NotPermitted`` (403); these are the conflicts
with the state of a post (409).
"""

from selfwork.core.errors import Conflict, declare


class PostLocked(Conflict):
    """A host locked the post: it takes no more replies."""

    code = "post_locked"
    title = "Post locked"


class AlreadyVoted(Conflict):
    """The member has voted for this post already (a vote counts once)."""

    code = "already_voted"
    title = "Already voted"


class NotVoted(Conflict):
    """There is no vote of the member's on this post to take back."""

    code = "not_voted"
    title = "Not voted"


class NotAQuestion(Conflict):
    """Only a question has an accepted answer."""

    code = "not_a_question"
    title = "Not a question"


class PostNotVisible(Conflict):
    """The post is hidden or removed, so it takes no replies, votes or answers."""

    code = "post_not_visible"
    title = "Post not visible"


class ModerationState(Conflict):
    """The post is already in the state a moderation action would put it in."""

    code = "moderation_state"
    title = "Nothing to change"


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("hosts_only", 403, "Only hosts post announcements."),
    ("not_moderator", 403, "Only a host or moderator of the community may do that."),
    ("own_post", 403, "A member cannot vote for their own post."),
    ("post_not_found", 404, "No post has that id (or you may not see it)."),
    ("reply_not_found", 404, "No reply has that id."),
    ("reply_not_in_post", 422, "The reply answers another post."),
    ("reply_removed", 422, "A host removed the reply, so it cannot be the answer."),
    ("unknown_kind", 422, "A post's kind is not one of the board's kinds."),
)
