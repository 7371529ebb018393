"""Emails about event registrations, sent after the commit, in the person's language and the
site's time zone, with the date as an ``.ics`` attachment when the person has a place."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from civic.links import page_url, site_origin

logger = logging.getLogger(__name__)


def _send(registration, template, *, with_calendar=True, extra_context=None):
    """Send one email about ``registration``; False when the person has no address."""
    from cms.agenda.calendar import calendar_for_occurrence

    user = registration.user
    if not user.email:
        return False
    event = registration.slot.event.specific
    occurrence = event.occurrence_starting(registration.slot.starts_at)
    if occurrence is None:
        return False  # the event's dates changed since: the Régie tells people itself
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "registration": registration,
            "event": event,
            "occurrence": occurrence,
            "user": user,
            "site_url": site_origin(),
            "event_url": page_url(event),
            **(extra_context or {}),
        }
        subject = render_to_string(f"agenda/email/{template}_subject.txt", context)
        body = render_to_string(f"agenda/email/{template}.txt", context)
    # A header holds one line.
    subject = " ".join(subject.split())
    message = EmailMessage(subject, body, to=[user.email])
    if with_calendar:
        message.attach("evenement.ics", calendar_for_occurrence(occurrence), "text/calendar")
    message.send()
    return True


def promoted_after_commit(registration):
    pk = registration.pk

    def after():
        from cms.agenda.models import Registration

        fresh = Registration.objects.select_related("slot__event", "user").filter(pk=pk).first()
        if fresh is None or fresh.status != Registration.Status.CONFIRMED:
            return
        try:
            _send(fresh, "promoted")
        except Exception as error:
            logger.error(
                "Promotion email for event registration %s not sent (%s)", pk, type(error).__name__
            )

    transaction.on_commit(after, robust=True)


def _fresh(pk):
    from cms.agenda.models import Registration

    return Registration.objects.select_related("slot__event", "user").filter(pk=pk).first()


def _send_logged(registration, template, **kwargs):
    try:
        _send(registration, template, **kwargs)
    except Exception as error:
        # A failing address must not undo the registration.
        logger.error(
            "Email %s for event registration %s not sent (%s)",
            template,
            registration.pk,
            type(error).__name__,
        )


def registered_after_commit(registration):
    """A place, or a rank on the waitlist: each has its own email."""
    pk = registration.pk

    def after():
        from cms.agenda.models import Registration

        fresh = _fresh(pk)
        if fresh is None:
            return
        if fresh.status == Registration.Status.CONFIRMED:
            _send_logged(fresh, "confirmed")
        elif fresh.status == Registration.Status.WAITLISTED:
            position = (
                Registration.objects.filter(
                    slot_id=fresh.slot_id, status=Registration.Status.WAITLISTED
                )
                .filter(created_at__lte=fresh.created_at)
                .count()
            )
            _send_logged(
                fresh, "waitlisted", with_calendar=False, extra_context={"position": position}
            )

    transaction.on_commit(after, robust=True)


def cancelled_after_commit(registration):
    pk = registration.pk

    def after():
        from cms.agenda.models import Registration

        fresh = _fresh(pk)
        if fresh is not None and fresh.status == Registration.Status.CANCELLED:
            _send_logged(fresh, "cancelled", with_calendar=False)

    transaction.on_commit(after, robust=True)
