"""Emails to volunteers, sent after the commit; reminders are scheduled here too."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from civic.volunteering.calendar import calendar_for_shifts


def _send(signup, template, *, with_calendar=True):
    user = signup.user
    if user is None or not user.email:
        return  # residents registered at the desk are called by the Régie
    with translation.override(user.preferred_language or "fr"):
        context = {
            "signup": signup,
            "shift": signup.shift,
            "action": signup.shift.action,
            "user": user,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string(f"volunteering/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"volunteering/email/{template}.txt", context)
    message = EmailMessage(subject, body, to=[user.email])
    if with_calendar:
        message.attach(
            "creneau.ics",
            calendar_for_shifts([signup.shift], name=signup.shift.action.title),
            "text/calendar",
        )
    message.send()


def confirmed_after_commit(signup):
    from civic.volunteering import tasks

    pk = signup.pk
    transaction.on_commit(lambda: tasks.schedule_reminder(pk), robust=True)


def promoted_after_commit(signup):
    from civic.volunteering import tasks

    pk = signup.pk

    def after():
        from civic.volunteering.models import Signup

        fresh = Signup.objects.select_related("shift__action", "user").get(pk=pk)
        _send(fresh, "promoted")
        tasks.schedule_reminder(pk)

    transaction.on_commit(after, robust=True)


def shift_cancelled_after_commit(shift, signups):
    ids = [s.pk for s in signups]

    def after():
        from civic.volunteering.models import Signup

        for signup in Signup.objects.filter(pk__in=ids).select_related("shift__action", "user"):
            _send(signup, "shift_cancelled", with_calendar=False)

    transaction.on_commit(after, robust=True)


def send_reminder(signup):
    _send(signup, "reminder")
