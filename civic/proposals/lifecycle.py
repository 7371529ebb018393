"""The life of a proposal, declared once: its states and who may move it where.

Rules, services, templates and the API read this table; nothing else decides.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("En attente de modération")
    REFUSED = "refused", _("Refusée à la modération")
    WITHDRAWN = "withdrawn", _("Retirée par son auteur")
    PUBLISHED = "published", _("Publiée")
    UNDER_STUDY = "under_study", _("À l'étude")
    ACCEPTED = "accepted", _("Retenue")
    REJECTED = "rejected", _("Non retenue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    MERGED = "merged", _("Fusionnée avec une autre idée")


# Seen by everyone (unless hidden by moderation).
PUBLIC_STATUSES = frozenset(
    {
        Status.PUBLISHED,
        Status.UNDER_STUDY,
        Status.ACCEPTED,
        Status.REJECTED,
        Status.IN_PROGRESS,
        Status.DONE,
        Status.MERGED,
    }
)

# Residents may support, and withdraw their support, only while the idea is open.
SUPPORTABLE_STATUSES = frozenset({Status.PUBLISHED, Status.UNDER_STUDY})

# Comments are open on public ideas that are still alive.
COMMENTABLE_STATUSES = frozenset(
    {Status.PUBLISHED, Status.UNDER_STUDY, Status.ACCEPTED, Status.IN_PROGRESS}
)

# The author may edit only before moderation, and withdraw before any decision.
EDITABLE_BY_AUTHOR = frozenset({Status.SUBMITTED})
WITHDRAWABLE_BY_AUTHOR = frozenset({Status.SUBMITTED, Status.PUBLISHED})

# Staff transitions: from → the states staff may move it to, each with a public answer.
STAFF_TRANSITIONS = {
    Status.SUBMITTED: (Status.PUBLISHED, Status.REFUSED),
    Status.PUBLISHED: (Status.UNDER_STUDY, Status.ACCEPTED, Status.REJECTED),
    Status.UNDER_STUDY: (Status.ACCEPTED, Status.REJECTED),
    Status.ACCEPTED: (Status.IN_PROGRESS, Status.REJECTED),
    Status.IN_PROGRESS: (Status.DONE,),
    Status.REJECTED: (Status.UNDER_STUDY,),
}

# Staff must write why for these (the author and the public read it).
ANSWER_REQUIRED = frozenset(
    {
        Status.REFUSED,
        Status.UNDER_STUDY,
        Status.ACCEPTED,
        Status.REJECTED,
        Status.IN_PROGRESS,
        Status.DONE,
    }
)

# An idea that can be merged into another (the duplicate), and one that can receive it.
# Not SUBMITTED: merging makes the idea public, and its text has not been moderated yet
# (refuse an unmoderated duplicate instead, with a reason).
MERGEABLE_STATUSES = frozenset({Status.PUBLISHED, Status.UNDER_STUDY})
MERGE_TARGET_STATUSES = frozenset(
    {Status.PUBLISHED, Status.UNDER_STUDY, Status.ACCEPTED, Status.IN_PROGRESS}
)


def staff_targets(status):
    return STAFF_TRANSITIONS.get(Status(status), ())


def can_staff_move(from_status, to_status):
    return Status(to_status) in staff_targets(from_status)
