"""Emails to volunteers, sent after the commit; reminders are scheduled here too.

Each email is written in the volunteer's preferred language, in the site's time zone, and
carries the shift as an ``.ics`` attachment when the person has a place (not on the
waitlist, not once cancelled).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from civic.links import site_origin
from civic.volunteering.calendar import calendar_for_shifts

logger = logging.getLogger(__name__)


def _send(signup, template, *, with_calendar=True, extra_context=None):
    """Send one email about ``signup``; False when the person has no email address."""
    user = signup.user
    if user is None or not user.email:
        return False  # residents registered at the desk are called by the Régie
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "signup": signup,
            "shift": signup.shift,
            "action": signup.shift.action,
            "user": user,
            "site_url": site_origin(),
            **(extra_context or {}),
        }
        subject = render_to_string(f"volunteering/email/{template}_subject.txt", context)
        body = render_to_string(f"volunteering/email/{template}.txt", context)
        calendar = calendar_for_shifts([signup.shift]) if with_calendar else None
    # A header holds one line.
    subject = " ".join(subject.split())
    message = EmailMessage(subject, body, to=[user.email])
    if calendar is not None:
        message.attach("creneau.ics", calendar, "text/calendar")
    message.send()
    return True


def _fresh(pk):
    from civic.volunteering.models import Signup

    return (
        Signup.objects.select_related("shift__action__neighbourhood", "user").filter(pk=pk).first()
    )


def _send_logged(signup, template, **kwargs):
    try:
        _send(signup, template, **kwargs)
    except Exception as error:
        # A failing address must not undo the sign-up nor stop the reminder.
        logger.error(
            "Email %s for sign-up %s not sent (%s)", template, signup.pk, type(error).__name__
        )


def confirmed_after_commit(signup):
    from civic.volunteering import tasks

    pk = signup.pk

    def after():
        from civic.volunteering.models import Signup

        fresh = _fresh(pk)
        if fresh is not None and fresh.status == Signup.Status.CONFIRMED:
            _send_logged(fresh, "confirmed")
        tasks.schedule_reminder(pk)

    transaction.on_commit(after, robust=True)


def waitlisted_after_commit(signup):
    pk = signup.pk

    def after():
        from civic.volunteering.models import Signup

        fresh = _fresh(pk)
        if fresh is not None and fresh.status == Signup.Status.WAITLISTED:
            position = (
                Signup.objects.filter(shift_id=fresh.shift_id, status=Signup.Status.WAITLISTED)
                .filter(created_at__lte=fresh.created_at)
                .count()
            )
            _send_logged(
                fresh, "waitlisted", with_calendar=False, extra_context={"position": position}
            )

    transaction.on_commit(after, robust=True)


def cancelled_after_commit(signup):
    """The person's own cancellation (or the Régie's, for them)."""
    pk = signup.pk

    def after():
        from civic.volunteering.models import Signup

        fresh = _fresh(pk)
        if fresh is not None and fresh.status == Signup.Status.CANCELLED:
            _send_logged(fresh, "cancelled", with_calendar=False)

    transaction.on_commit(after, robust=True)


def promoted_after_commit(signup):
    from civic.volunteering import tasks

    pk = signup.pk

    def after():
        from civic.volunteering.models import Signup

        fresh = (
            Signup.objects.select_related("shift__action__neighbourhood", "user")
            .filter(pk=pk)
            .first()
        )
        if fresh is None or fresh.status != Signup.Status.CONFIRMED:
            return
        try:
            _send(fresh, "promoted")
        except Exception as error:
            # The reminder must still be scheduled when this email fails.
            logger.error("Promotion email for sign-up %s not sent (%s)", pk, type(error).__name__)
        tasks.schedule_reminder(pk)

    transaction.on_commit(after, robust=True)


def shift_cancelled_after_commit(shift, signups):
    ids = [s.pk for s in signups]

    def after():
        from civic.volunteering.models import Signup

        for signup in Signup.objects.filter(pk__in=ids).select_related("shift__action", "user"):
            try:
                _send(signup, "shift_cancelled", with_calendar=False)
            except Exception as error:
                # One failing address must not keep the others uninformed.
                logger.error(
                    "Cancellation email for sign-up %s not sent (%s)",
                    signup.pk,
                    type(error).__name__,
                )

    transaction.on_commit(after, robust=True)


def send_reminder(signup):
    """The reminder before a shift (called by the task, which guarantees it is sent once)."""
    days_until = (timezone.localdate(signup.shift.starts_at) - timezone.localdate()).days
    return _send(signup, "reminder", extra_context={"days_until": days_until})
