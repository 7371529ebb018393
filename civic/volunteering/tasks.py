"""Reminders by email before a shift, run by the task worker (``manage.py db_worker``).

Each confirmed sign-up schedules one task to run REMINDER_DELAY before its shift. The
task claims the sign-up with a conditional UPDATE (``reminder_sent_at`` still empty and
sign-up still confirmed), so a reminder is never sent twice nor for a cancelled sign-up,
whatever the number of workers or retries.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from civic.volunteering.models import Signup


def reminder_delay():
    return timedelta(hours=getattr(settings, "VOLUNTEER_REMINDER_HOURS", 24))


def schedule_reminder(signup_id):
    signup = Signup.objects.select_related("shift").filter(pk=signup_id).first()
    if signup is None or signup.status != Signup.Status.CONFIRMED:
        return
    run_at = signup.shift.starts_at - reminder_delay()
    if run_at > timezone.now() and getattr(default_task_backend, "supports_defer", False):
        send_shift_reminder.using(run_after=run_at).enqueue(signup_id)
    elif signup.shift.starts_at > timezone.now():
        send_shift_reminder.enqueue(signup_id)


@task()
def send_shift_reminder(signup_id):
    now = timezone.now()
    signup = Signup.objects.select_related("shift__action", "user").filter(pk=signup_id).first()
    if signup is None:
        return "gone"
    shift = signup.shift
    if shift.starts_at <= now or shift.is_cancelled:
        return "too-late"
    if shift.starts_at - reminder_delay() > now + timedelta(minutes=5):
        # The shift moved later since this was scheduled: schedule again for the new time.
        schedule_reminder(signup_id)
        return "rescheduled"
    claimed = Signup.objects.filter(
        pk=signup_id, status=Signup.Status.CONFIRMED, reminder_sent_at__isnull=True
    ).update(reminder_sent_at=now)
    if not claimed:
        return "skipped"
    from civic.volunteering.messages import send_reminder

    send_reminder(signup)
    return "sent"
