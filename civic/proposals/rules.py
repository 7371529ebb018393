"""Who may do what with proposals: one function per permission, used by the HTML views,
the API permission classes, the admin and the WebSocket consumer alike."""

from datetime import timedelta

from django.utils import timezone

from civic.proposals import lifecycle

COMMENT_EDIT_WINDOW = timedelta(minutes=15)


def is_moderator(user):
    """Régie staff who moderate and answer proposals."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("proposals.moderate_proposal"))
    )


def is_resident(user):
    return bool(user and user.is_authenticated and user.is_active)


def can_view(user, proposal):
    if proposal.is_public:
        return True
    if not is_resident(user):
        return False
    return is_moderator(user) or proposal.author_id == user.pk


def can_submit(user):
    return is_resident(user)


def can_edit(user, proposal):
    return (
        is_resident(user)
        and proposal.author_id == user.pk
        and proposal.status in lifecycle.EDITABLE_BY_AUTHOR
    )


def can_withdraw(user, proposal):
    return (
        is_resident(user)
        and proposal.author_id == user.pk
        and proposal.status in lifecycle.WITHDRAWABLE_BY_AUTHOR
    )


def can_support(user, proposal):
    """May add or withdraw a support right now."""
    return (
        is_resident(user)
        and proposal.is_public
        and proposal.support_open
        and proposal.status in lifecycle.SUPPORTABLE_STATUSES
    )


def can_follow(user, proposal):
    return is_resident(user) and can_view(user, proposal)


def can_comment(user, proposal):
    return (
        is_resident(user)
        and proposal.is_public
        and proposal.status in lifecycle.COMMENTABLE_STATUSES
    )


def can_edit_comment(user, comment, now=None):
    now = now or timezone.now()
    return (
        is_resident(user)
        and comment.author_id == user.pk
        and comment.is_visible
        and now - comment.created_at <= COMMENT_EDIT_WINDOW
    )


def can_delete_comment(user, comment):
    return is_resident(user) and comment.author_id == user.pk and not comment.is_deleted


def can_report(user):
    return is_resident(user)


def can_moderate(user):
    return is_moderator(user)
