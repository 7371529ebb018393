"""Reminders before a shift, end to end.

The real database task backend (django-tasks-db), its worker run in-process
(``db_worker --batch``) and a travelling clock (time-machine): what a volunteer receives,
when, and never twice.
"""

import logging
import signal
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import override_settings
from django_tasks import default_task_backend
from django_tasks.signals import task_enqueued
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from civic.volunteering import services, tasks
from civic.volunteering.models import Signup
from tests.factories import ActionFactory, ShiftFactory, UserFactory

# The worker commits as it goes: the rows it reads must be committed too.
pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
# A Wednesday morning; ShiftFactory's shift is then Saturday 13 June 2026, 10:00–12:00.
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=PARIS)
SATURDAY_10 = datetime(2026, 6, 13, 10, 0, tzinfo=PARIS)
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
TASK_PATH = "civic.volunteering.tasks.send_shift_reminder"
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def without_sign_up_confirmations(monkeypatch):
    # This module counts reminders; the confirmations of sign-ups and cancellations are
    # tested in test_my_registrations.py.
    from civic.volunteering import messages

    monkeypatch.setattr(messages, "_send_logged", lambda *args, **kwargs: None)


@pytest.fixture
def clock():
    """The clock, frozen at NOW; ``clock.move_to(when)`` travels."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def db_tasks():
    """The production task backend. django_tasks caches backends, but resets its handler
    on ``setting_changed`` (django_tasks.signals.clear_tasks_handlers), so
    override_settings is enough, both ways."""
    with override_settings(TASKS=DB_TASKS):
        assert isinstance(tasks.send_shift_reminder.get_backend(), DatabaseBackend)
        assert default_task_backend.supports_defer
        yield
    assert not isinstance(tasks.send_shift_reminder.get_backend(), DatabaseBackend)


@pytest.fixture
def staff(tilleuls):
    """Régie staff (the permission on the user: transactional tests flush group perms)."""
    user = UserFactory(email="guichet@example.org", neighbourhood=tilleuls, groups=[])
    user.user_permissions.add(
        Permission.objects.get(
            codename="manage_volunteering", content_type__app_label="volunteering"
        )
    )
    return user


def run_worker(*, failures_expected=False):
    """``manage.py db_worker --batch``: run every task due now, then return."""
    worker_signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved_handlers = {sig: signal.getsignal(sig) for sig in worker_signals}
    task_loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    saved_levels = [logger.level for logger in task_loggers]
    try:
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--backend",
            "default",
            verbosity=0,
        )
    finally:
        for sig, handler in saved_handlers.items():
            signal.signal(sig, handler)
        for logger, level in zip(task_loggers, saved_levels, strict=True):
            logger.setLevel(level)
    if not failures_expected:
        failed = list(DBTaskResult.objects.failed())
        assert not failed, failed[0].traceback


def reminder_tasks():
    return list(DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("enqueued_at", "pk"))


def due(shift, hours=24):
    return shift.starts_at - timedelta(hours=hours)


def ics_events(email):
    (name, content, mimetype) = email.attachments[0]
    assert (name, mimetype) == ("creneau.ics", "text/calendar")
    return Calendar.from_ical(content).walk("VEVENT")


# --- The main path ------------------------------------------------------------------------


def test_one_reminder_24_hours_before_in_french_with_the_shift_as_ics(
    clock, db_tasks, resident, mailoutbox
):
    shift = ShiftFactory()
    assert shift.starts_at == SATURDAY_10
    signup = services.sign_up(shift=shift, actor=resident)

    # One deferred task, due 24 hours before the shift.
    [queued] = reminder_tasks()
    assert queued.status == "READY"
    assert queued.args_kwargs == {"args": [signup.pk], "kwargs": {}}
    assert queued.run_after == due(shift)

    # Now: nothing is due.
    run_worker()
    assert mailoutbox == []
    queued.refresh_from_db()
    assert queued.status == "READY"

    # Still nothing a minute before the due time.
    clock.move_to(due(shift) - MINUTE)
    run_worker()
    assert mailoutbox == []

    clock.move_to(due(shift) + MINUTE)
    run_worker()
    [email] = mailoutbox
    assert email.to == ["amina@example.org"]
    assert email.subject == f"[Quartier Commun] Rappel : {shift.action.title} demain"
    assert email.body.startswith("Bonjour Amina B.,")
    assert f"Petit rappel : vous participez à « {shift.action.title} »." in email.body
    assert "Quand : samedi 13 juin 2026 à 10\u00a0h – 12\u00a0h" in email.body
    assert "Où : Devant la Régie, 12 place des Tilleuls" in email.body
    assert "À apporter : Des gants si vous en avez" in email.body
    assert f"http://127.0.0.1:8000{shift.action.get_absolute_url()}" in email.body
    [event] = ics_events(email)
    assert event.decoded("dtstart") == shift.starts_at
    assert event.decoded("dtend") == shift.ends_at
    assert str(event["location"]) == "Devant la Régie, 12 place des Tilleuls"
    assert str(event["summary"]) == shift.action.title
    # The attachment as it goes over the wire.
    parts = [part.get_content_type() for part in email.message().walk()]
    assert "text/calendar" in parts

    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "sent")
    signup.refresh_from_db()
    assert signup.reminder_sent_at == due(shift) + MINUTE

    # Never twice: the worker again, the task enqueued again, scheduling again, later on.
    run_worker()
    tasks.send_shift_reminder.enqueue(signup.pk)
    assert tasks.schedule_reminder(signup.pk) is None
    run_worker()
    clock.move_to(shift.starts_at - timedelta(hours=1))
    run_worker()
    assert len(mailoutbox) == 1
    assert [t.return_value for t in reminder_tasks()] == ["sent", "already-sent"]


def test_two_tasks_racing_for_the_same_sign_up_send_one_email(
    clock, db_tasks, resident, mailoutbox, monkeypatch
):
    """The claim is a conditional UPDATE: a second worker that read the sign-up before the
    first one claimed it still cannot send."""
    shift = ShiftFactory()
    signup = services.sign_up(shift=shift, actor=resident)
    clock.move_to(due(shift) + MINUTE)

    real_due_at = tasks.reminder_due_at
    outcomes = []

    def other_worker_runs_in_between(shift):
        # Called after the checks, just before the claim: the other worker goes first.
        monkeypatch.setattr(tasks, "reminder_due_at", real_due_at)
        outcomes.append(tasks.send_shift_reminder.call(signup.pk))
        return real_due_at(shift)

    monkeypatch.setattr(tasks, "reminder_due_at", other_worker_runs_in_between)
    outcomes.append(tasks.send_shift_reminder.call(signup.pk))

    assert outcomes == ["sent", "skipped"]
    assert len(mailoutbox) == 1


# --- Sign-ups and shifts that change ------------------------------------------------------


def test_a_cancelled_sign_up_gets_no_reminder(clock, db_tasks, resident, mailoutbox):
    shift = ShiftFactory()
    signup = services.sign_up(shift=shift, actor=resident)
    services.cancel_signup(signup=signup, actor=resident)

    clock.move_to(due(shift) + MINUTE)
    run_worker()
    assert mailoutbox == []
    assert [t.return_value for t in reminder_tasks()] == ["not-confirmed"]


def test_a_cancelled_shift_gets_the_cancellation_email_and_no_reminder(
    clock, db_tasks, resident, staff, mailoutbox
):
    shift = ShiftFactory()
    services.sign_up(shift=shift, actor=resident)
    services.cancel_shift(actor=staff, shift=shift)
    [cancellation] = mailoutbox
    assert cancellation.to == [resident.email]
    assert cancellation.subject == f"[Quartier Commun] Créneau annulé : {shift.action.title}"
    assert cancellation.attachments == []

    clock.move_to(due(shift) + MINUTE)
    run_worker()
    assert mailoutbox == [cancellation]
    assert [t.return_value for t in reminder_tasks()] == ["not-confirmed"]


def test_a_sign_up_less_than_24_hours_before_is_reminded_right_away(
    clock, db_tasks, resident, mailoutbox
):
    # Also: titles go into the subject as written, not HTML-escaped.
    action = ActionFactory(title="Goûter d'été & jeux")
    shift = ShiftFactory(action=action, starts_at=NOW + timedelta(hours=5))
    services.sign_up(shift=shift, actor=resident)
    [queued] = reminder_tasks()
    assert queued.task.run_after is None  # not deferred

    run_worker()
    [email] = mailoutbox
    assert email.subject == "[Quartier Commun] Rappel : Goûter d'été & jeux aujourd'hui"
    assert "« Goûter d'été & jeux »" in email.body
    assert "Quand : mercredi 10 juin 2026 à 14\u00a0h – 16\u00a0h" in email.body
    [event] = ics_events(email)
    assert event.decoded("dtstart") == shift.starts_at

    run_worker()
    assert len(mailoutbox) == 1


def test_a_volunteer_promoted_from_the_waitlist_gets_the_promotion_then_one_reminder(
    clock, db_tasks, resident, other_resident, mailoutbox
):
    shift = ShiftFactory(capacity=1)
    first = services.sign_up(shift=shift, actor=resident)
    second = services.sign_up(shift=shift, actor=other_resident)
    assert second.status == Signup.Status.WAITLISTED
    assert len(reminder_tasks()) == 1  # nothing scheduled for the waitlist

    services.cancel_signup(signup=first, actor=resident)
    [promotion] = mailoutbox
    assert promotion.to == [other_resident.email]
    assert promotion.subject == (
        f"[Quartier Commun] Une place s'est libérée : {shift.action.title}"
    )
    assert ics_events(promotion)[0].decoded("dtstart") == shift.starts_at
    assert len(reminder_tasks()) == 2  # the cancelled one's, and the promoted one's

    run_worker()
    assert mailoutbox == [promotion]

    clock.move_to(due(shift) + MINUTE)
    run_worker()
    assert len(mailoutbox) == 2
    reminder = mailoutbox[1]
    assert reminder.to == [other_resident.email]
    assert reminder.body.startswith("Bonjour Marcel D.,")
    assert sorted(t.return_value for t in reminder_tasks()) == ["not-confirmed", "sent"]

    clock.move_to(shift.starts_at - MINUTE)
    run_worker()
    assert len(mailoutbox) == 2


def test_a_volunteer_without_an_account_gets_nothing_and_nothing_fails(
    clock, db_tasks, staff, mailoutbox
):
    person = services.register_offline_volunteer(
        actor=staff, name="Mme Lefèvre", phone="0600000000", consent=True
    )
    shift = ShiftFactory()
    signup = services.sign_up(shift=shift, actor=staff, offline_volunteer=person)
    assert signup.status == Signup.Status.CONFIRMED
    assert reminder_tasks() == []  # nothing to schedule: the Régie calls them

    # Even when a task is enqueued for them, it runs without an error and sends nothing.
    tasks.send_shift_reminder.enqueue(signup.pk)
    clock.move_to(due(shift) + MINUTE)
    run_worker()
    assert mailoutbox == []
    assert [t.return_value for t in reminder_tasks()] == ["no-email"]
    signup.refresh_from_db()
    assert signup.reminder_sent_at is None


def test_a_shift_moved_later_is_reminded_at_the_new_time_only(
    clock, db_tasks, resident, mailoutbox
):
    shift = ShiftFactory()
    old_due = due(shift)
    services.sign_up(shift=shift, actor=resident)
    shift.starts_at += timedelta(days=2)  # Monday 15 June, 10:00
    shift.ends_at += timedelta(days=2)
    shift.save(update_fields=["starts_at", "ends_at"])

    clock.move_to(old_due + MINUTE)
    run_worker()
    assert mailoutbox == []
    old_task, new_task = reminder_tasks()
    assert old_task.return_value == "rescheduled"
    assert (new_task.status, new_task.run_after) == ("READY", due(shift))

    clock.move_to(due(shift) - MINUTE)
    run_worker()
    assert mailoutbox == []

    clock.move_to(due(shift) + MINUTE)
    run_worker()
    [email] = mailoutbox
    assert "Quand : lundi 15 juin 2026 à 10\u00a0h – 12\u00a0h" in email.body
    assert ics_events(email)[0].decoded("dtstart") == datetime(2026, 6, 15, 10, 0, tzinfo=PARIS)


def test_a_shift_moved_earlier_is_reminded_at_the_new_time_once_rescheduled(
    clock, db_tasks, resident, mailoutbox
):
    shift = ShiftFactory()
    old_due = due(shift)
    services.sign_up(shift=shift, actor=resident)
    shift.starts_at -= timedelta(days=1)  # Friday 12 June, 10:00
    shift.ends_at -= timedelta(days=1)
    shift.save(update_fields=["starts_at", "ends_at"])
    tasks.reschedule_shift_reminders(shift.pk)

    clock.move_to(due(shift) + MINUTE)
    run_worker()
    [email] = mailoutbox
    assert "Quand : vendredi 12 juin 2026 à 10\u00a0h – 12\u00a0h" in email.body

    clock.move_to(old_due + MINUTE)
    run_worker()
    assert len(mailoutbox) == 1


@override_settings(VOLUNTEER_REMINDER_HOURS=2)
def test_the_delay_comes_from_the_setting(clock, db_tasks, resident, mailoutbox):
    shift = ShiftFactory()
    services.sign_up(shift=shift, actor=resident)
    [queued] = reminder_tasks()
    assert queued.run_after == shift.starts_at - timedelta(hours=2)

    clock.move_to(due(shift, hours=24) + MINUTE)
    run_worker()
    assert mailoutbox == []

    clock.move_to(due(shift, hours=2) - MINUTE)
    run_worker()
    assert mailoutbox == []

    clock.move_to(due(shift, hours=2) + MINUTE)
    run_worker()
    [email] = mailoutbox
    assert email.subject == f"[Quartier Commun] Rappel : {shift.action.title} aujourd'hui"


@override_settings(VOLUNTEER_REMINDER_HOURS=48)
def test_a_reminder_two_days_ahead_names_the_day(clock, db_tasks, resident, mailoutbox):
    shift = ShiftFactory()
    services.sign_up(shift=shift, actor=resident)
    clock.move_to(due(shift, hours=48) + MINUTE)
    run_worker()
    [email] = mailoutbox
    assert email.subject == f"[Quartier Commun] Rappel : {shift.action.title}, samedi 13 juin"


def test_a_failed_send_is_tried_again_later_and_then_sent_once(
    clock, db_tasks, resident, mailoutbox, monkeypatch
):
    shift = ShiftFactory()
    signup = services.sign_up(shift=shift, actor=resident)
    real_send = EmailMessage.send

    def smtp_down(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", smtp_down)
    clock.move_to(due(shift) + MINUTE)
    run_worker(failures_expected=True)
    assert mailoutbox == []
    signup.refresh_from_db()
    assert signup.reminder_sent_at is None  # the claim was released
    failed, retry = reminder_tasks()
    assert failed.status == "FAILED"
    assert "ConnectionRefusedError" in failed.exception_class_path
    assert (retry.status, retry.run_after) == ("READY", due(shift) + MINUTE + tasks.RETRY_DELAY)

    monkeypatch.setattr(EmailMessage, "send", real_send)
    clock.move_to(due(shift) + MINUTE + tasks.RETRY_DELAY + MINUTE)
    DBTaskResult.objects.failed().delete()  # seen; run_worker checks for new failures
    run_worker()
    assert len(mailoutbox) == 1
    run_worker()
    assert len(mailoutbox) == 1


# --- Language -----------------------------------------------------------------------------


def test_the_reminder_is_in_the_volunteers_language(clock, db_tasks, resident, mailoutbox):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    shift = ShiftFactory()
    services.sign_up(shift=shift, actor=resident)

    clock.move_to(due(shift) + MINUTE)
    run_worker()
    [email] = mailoutbox
    # English where the catalogue has it (greeting, dates), French otherwise.
    assert email.body.startswith("Hello Amina B.,")
    assert "Saturday 13 June 2026 at 10 a.m. – noon" in email.body
    assert "Devant la Régie, 12 place des Tilleuls" in email.body
    assert shift.action.title in email.subject
    assert ics_events(email)[0].decoded("dtstart") == shift.starts_at


# --- Without a backend that defers (tests, some development setups) -----------------------


def test_without_deferred_tasks_nothing_is_scheduled_ahead_and_nothing_loops(
    clock, resident, other_resident, mailoutbox
):
    """The ImmediateBackend runs a task at once: a reminder due in three days used to
    reschedule itself, immediately, hundreds of times over."""
    assert not tasks.send_shift_reminder.get_backend().supports_defer
    enqueued = []

    def count(sender, task_result, **kwargs):
        if task_result.task.module_path == TASK_PATH:
            enqueued.append(task_result)

    task_enqueued.connect(count)
    try:
        services.sign_up(shift=ShiftFactory(), actor=resident)
        assert enqueued == []
        assert mailoutbox == []

        # Due now: sent at once, once.
        soon = ShiftFactory(starts_at=NOW + timedelta(hours=3))
        services.sign_up(shift=soon, actor=other_resident)
    finally:
        task_enqueued.disconnect(count)
    assert [result.return_value for result in enqueued] == ["sent"]
    [email] = mailoutbox
    assert email.to == [other_resident.email]
