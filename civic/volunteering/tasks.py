"""Reminders by email before a shift, run by the task worker (``manage.py db_worker``).

Each confirmed sign-up schedules one task to run ``VOLUNTEER_REMINDER_HOURS`` before its
shift (deferred with ``run_after``), or right away when the sign-up comes later than that.
The task claims the sign-up with a conditional UPDATE (``reminder_sent_at`` still empty,
sign-up still confirmed, shift neither cancelled nor started), so a reminder is never sent
twice nor for a cancelled sign-up or shift, whatever the number of workers, retries or
extra enqueues. A task that runs early (the shift moved later) schedules itself again for
the new time. A failed send releases the claim and tries again a little later, until the
shift starts.

With a backend that cannot defer tasks (the ImmediateBackend used by the tests and some
development setups), reminders due in the future are not scheduled at all: nothing could
run them at the right time.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from civic.volunteering.models import Signup

logger = logging.getLogger(__name__)

# A task that runs up to this much before its due time still sends (clock skew, a worker
# that picks it up a little early); earlier than that, it is rescheduled.
EARLY_TOLERANCE = timedelta(minutes=5)
# After a failed send (SMTP down…), the next attempt.
RETRY_DELAY = timedelta(minutes=10)


def reminder_delay():
    return timedelta(hours=getattr(settings, "VOLUNTEER_REMINDER_HOURS", 24))


def reminder_due_at(shift):
    return shift.starts_at - reminder_delay()


def _supports_defer():
    return bool(getattr(send_shift_reminder.get_backend(), "supports_defer", False))


def schedule_reminder(signup_id, *, now=None):
    """Enqueue the reminder of a confirmed sign-up; returns the task result, or None.

    Safe to call more than once: only one reminder is ever sent (see the module docstring).
    """
    now = now or timezone.now()
    signup = Signup.objects.select_related("shift").filter(pk=signup_id).first()
    if (
        signup is None
        or signup.status != Signup.Status.CONFIRMED
        or signup.user_id is None  # registered at the desk: the Régie calls them
        or signup.reminder_sent_at is not None
    ):
        return None
    shift = signup.shift
    if shift.is_cancelled or shift.starts_at <= now:
        return None
    run_at = reminder_due_at(shift)
    if run_at <= now + EARLY_TOLERANCE:
        return send_shift_reminder.enqueue(signup_id)
    if not _supports_defer():
        logger.info(
            "Reminder for sign-up %s not scheduled: the task backend cannot defer tasks.",
            signup_id,
        )
        return None
    return send_shift_reminder.using(run_after=run_at).enqueue(signup_id)


def reschedule_shift_reminders(shift_id):
    """After a shift's times changed (call on commit): reminders follow the new time.

    A shift moved earlier gets a task at the new, earlier time; the old one then finds the
    reminder sent. (A shift moved later needs nothing: the old task reschedules itself.)"""
    pending = Signup.objects.filter(
        shift_id=shift_id, status=Signup.Status.CONFIRMED, reminder_sent_at__isnull=True
    ).values_list("pk", flat=True)
    for signup_id in pending:
        schedule_reminder(signup_id)


@task()
def send_shift_reminder(signup_id):
    now = timezone.now()
    signup = (
        Signup.objects.select_related("shift__action__neighbourhood", "user")
        .filter(pk=signup_id)
        .first()
    )
    if signup is None:
        return "gone"
    if signup.status != Signup.Status.CONFIRMED:
        return "not-confirmed"
    if signup.reminder_sent_at is not None:
        return "already-sent"
    shift = signup.shift
    if shift.is_cancelled:
        return "shift-cancelled"
    if shift.starts_at <= now:
        return "too-late"
    if signup.user is None or not signup.user.email:
        return "no-email"
    if reminder_due_at(shift) > now + EARLY_TOLERANCE:
        # The shift moved later since this was scheduled: schedule again for the new time.
        schedule_reminder(signup_id, now=now)
        return "rescheduled"
    claimed = Signup.objects.filter(
        pk=signup_id,
        status=Signup.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        shift__is_cancelled=False,
        shift__starts_at__gt=now,
    ).update(reminder_sent_at=now)
    if not claimed:
        return "skipped"
    from civic.volunteering.messages import send_reminder

    try:
        send_reminder(signup)
    except Exception:
        # Not sent: release the claim so that a later attempt may send it.
        Signup.objects.filter(pk=signup_id, reminder_sent_at=now).update(reminder_sent_at=None)
        retry_at = now + RETRY_DELAY
        if retry_at < shift.starts_at and _supports_defer():
            send_shift_reminder.using(run_after=retry_at).enqueue(signup_id)
        raise
    return "sent"
