"""The anticipated failures of boards, each with a stable ``code``.

Bad values are ``core.errors.InvalidInput`` (422) naming their field, and
who-may-do-what refusals are ``NotPermitted`` (403); these are the conflicts
with the state of a post (409).
"""

from selfwork.core.errors import Conflict


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
