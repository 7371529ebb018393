"""Every stored copy of a person's name, in one registry that account deletion walks.

Most of the platform renders names from the person at display time (comments, proposals,
attendance on the chair's pages). Some text is written once and kept: those places are
listed here, each with the function that rewrites them when an account is deleted
(``civic.accounts.services.delete_account``, which the retention run also uses). A new
feature that copies a name into stored text adds its eraser to ``ERASERS``;
``tests/test_erasure_sweep.py`` reads every text column of every model after a deletion
and fails on any copy left.

Rendered from the person at display time (nothing to rewrite): comments, ideas and their
history, supports, sign-ups, registrations, attendance, and every staff export (built
from the rows when downloaded). Moderation: a hidden or deleted comment takes its
notifications with it (``forget_comment``); an idea hidden by moderation is left out of
other people's notifications and digests while it stays hidden
(``NotificationQuerySet.shown_to``).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Eraser:
    place: str
    forget: Callable  # forget(user, name): rewrites the copies; returns how many changed


def former_resident():
    with translation.override(settings.LANGUAGE_CODE):
        return str(_("Ancien compte"))


def _replace_token(text, old, new):
    """``old`` as a whole name (not inside another word) becomes ``new``."""
    pattern = r"(?<![\w])" + re.escape(old) + r"(?![\w])"
    return re.sub(pattern, lambda _m: new, text)


def forget_in_notifications(user, name):
    """On-site notifications (and so the digests sent later) of comments by the person."""
    from civic.proposals.models import Notification

    changed = 0
    for notification in Notification.objects.filter(comment__author=user):
        notification.message = _replace_token(notification.message, name, former_resident())
        notification.save(update_fields=["message"])
        changed += 1
    return changed


def forget_in_minutes(user, name, *, assembly_ids=None):
    """Minutes pages of the assemblies the person attended (or of ``assembly_ids`` only):
    live body, every revision, and the search index."""
    from wagtail.search import index

    from civic.assemblies.models import MinutesPage, Participant

    assemblies = Participant.objects.filter(user=user).values("assembly_id")
    if assembly_ids is not None:
        assemblies = assemblies.filter(assembly_id__in=assembly_ids)
    old, new = escape(name), escape(former_resident())
    changed = 0
    for page in MinutesPage.objects.filter(assembly_id__in=assemblies):
        body = _replace_token(page.body or "", old, new)
        if body != page.body:
            MinutesPage.objects.filter(pk=page.pk).update(body=body)
            changed += 1
        for revision in page.revisions.all():
            content = dict(revision.content)
            rewritten = _replace_token(content.get("body") or "", old, new)
            if rewritten != content.get("body"):
                content["body"] = rewritten
                revision.content = content
                revision.save(update_fields=["content"])
        page.refresh_from_db()
        index.insert_or_update_object(page)
    return changed


ERASERS = [
    Eraser(place="notifications", forget=forget_in_notifications),
    Eraser(place="assembly minutes", forget=forget_in_minutes),
]


def forget_comment(comment):
    """A comment hidden by moderation or deleted by its author: the notifications
    announcing it go, so that neither the notifications page nor a digest sent later says
    « X a commenté »."""
    deleted, _details = comment.notifications.all().delete()
    return deleted


def forget_person(user):
    """Rewrite every registered copy of the person's name; returns the counts per place."""
    name = (user.display_name or "").strip()
    if not name:
        return {}
    return {eraser.place: eraser.forget(user, name) for eraser in ERASERS}
