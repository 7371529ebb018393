"""Who hears about what happens to a proposal: on-site notifications, then one grouped
email per resident (sent by a background task, for residents who accept emails)."""

import functools

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from civic.proposals.models import Follow, Notification


def _in_site_language(function):
    """Stored messages are written in the site's language, not in the language of
    whoever happened to act (the digest email is then sent in the recipient's)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


def _notify(recipient_ids, proposal, kind, message, comment=None):
    recipient_ids = {pk for pk in recipient_ids if pk is not None}
    if not recipient_ids:
        return []
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                proposal=proposal,
                comment=comment,
                kind=kind,
                message=message[:300],
            )
            for pk in sorted(recipient_ids)
        ]
    )
    from civic.proposals import tasks

    # robust: a queue failure must not turn a committed action into an error page.
    transaction.on_commit(lambda: tasks.schedule_digests(recipient_ids), robust=True)
    return created


def _followers(proposal):
    return set(Follow.objects.filter(proposal=proposal).values_list("resident_id", flat=True))


@_in_site_language
def tell_followers_status(proposal, step, extra_recipients=None):
    recipients = _followers(proposal)
    if extra_recipients is not None:
        recipients |= _followers(extra_recipients)
    recipients.discard(step.actor_id)
    message = _("« %(title)s » : %(status)s") % {
        "title": proposal.title,
        "status": step.get_to_status_display(),
    }
    _notify(recipients, proposal, Notification.Kind.STATUS, message)


@_in_site_language
def tell_about_comment(comment):
    proposal = comment.proposal
    recipients = _followers(proposal)
    if comment.parent_id and comment.parent.author_id:
        recipients.add(comment.parent.author_id)
    recipients.discard(comment.author_id)
    kind = Notification.Kind.REPLY if comment.parent_id else Notification.Kind.COMMENT
    message = _("%(name)s a commenté « %(title)s »") % {
        "name": comment.author_name,
        "title": proposal.title,
    }
    _notify(recipients, proposal, kind, message, comment=comment)


@_in_site_language
def tell_moderators_new_proposal(proposal):
    from civic.proposals.services import moderators

    message = _("Nouvelle idée à modérer : « %(title)s »") % {"title": proposal.title}
    _notify(moderators().values_list("pk", flat=True), proposal, Notification.Kind.STATUS, message)


@_in_site_language
def tell_moderators_threshold(proposal):
    from civic.proposals.services import moderators

    message = _("« %(title)s » a atteint le seuil de soutiens : elle passe à l'étude.") % {
        "title": proposal.title
    }
    _notify(
        moderators().values_list("pk", flat=True), proposal, Notification.Kind.THRESHOLD, message
    )
