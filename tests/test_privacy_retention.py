"""Retention, with a travelling clock (time-machine): inactive accounts warned once then
deleted (anonymised), old rosters and attendance lists emptied of people, tallies kept;
the daily run queued once on the database task worker."""

import logging
import signal
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from civic.accounts.models import User
from civic.assemblies.models import Participant
from civic.privacy import services, tasks
from civic.proposals.models import Proposal
from civic.volunteering import services as volunteering
from civic.volunteering.admin_views import annotate_statistics
from civic.volunteering.models import Action, OfflineVolunteer, Shift, Signup
from tests.assemblies_factories import close, make_assembly, open_vote, present_member, vote
from tests.factories import ProposalFactory, ShiftFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")
# UTC: whole days of 24 hours, whatever the daylight saving time.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
FORMER = "Ancien compte"


def days_after(n):
    return T0 + n * DAY


@pytest.fixture
def clock(db):
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sleeper(clock, tilleuls):
    """Signed up at T0, logged in once at T0, then nothing."""
    user = UserFactory(
        email="dormeur@example.org", display_name="Dormeur Z.", neighbourhood=tilleuls
    )
    User.objects.filter(pk=user.pk).update(last_login=T0, date_joined=T0)
    ProposalFactory(author=user, title="Une fontaine")
    return user


def warnings_to(mailoutbox, email):
    return [m for m in mailoutbox if email in m.to]


@pytest.mark.django_db
def test_warned_once_then_deleted_and_anonymised(clock, sleeper, manager, mailoutbox):
    User.objects.filter(pk=manager.pk).update(last_login=T0, date_joined=T0)

    clock.move_to(days_after(699))
    assert services.purge_personal_data()["accounts_warned"] == 0

    clock.move_to(days_after(700))  # 730 − 30 days
    counts = services.purge_personal_data()
    assert counts["accounts_warned"] == 1
    (warning,) = warnings_to(mailoutbox, "dormeur@example.org")
    assert "supprimé" in warning.subject
    assert "Dormeur Z." in warning.body and "/comptes/login/" in warning.body
    assert "5 janvier 2028" in warning.body  # T0 + 730 days

    clock.move_to(days_after(701))
    services.purge_personal_data()
    assert len(warnings_to(mailoutbox, "dormeur@example.org")) == 1  # once

    clock.move_to(days_after(729))
    assert services.purge_personal_data()["accounts_deleted"] == 0
    clock.move_to(days_after(730))
    assert services.purge_personal_data()["accounts_deleted"] == 1
    assert not User.objects.filter(email="dormeur@example.org").exists()
    assert Proposal.objects.get(title="Une fontaine").author_name == FORMER
    # Staff are never deleted automatically, nor warned.
    assert User.objects.filter(pk=manager.pk).exists()
    assert not warnings_to(mailoutbox, manager.email)


@pytest.mark.django_db
def test_logging_in_again_cancels_the_warning(clock, sleeper, client, mailoutbox):
    from tests.factories import PASSWORD

    clock.move_to(days_after(700))
    services.purge_personal_data()
    clock.move_to(days_after(710))
    assert client.login(email="dormeur@example.org", password=PASSWORD)
    clock.move_to(days_after(731))
    counts = services.purge_personal_data()
    assert counts["warnings_reset"] == 1 and counts["accounts_deleted"] == 0
    sleeper.refresh_from_db()
    assert sleeper.inactivity_warned_at is None
    # Inactive again for the whole period: a new warning, later.
    clock.move_to(days_after(710 + 700))
    assert services.purge_personal_data()["accounts_warned"] == 1


@pytest.mark.django_db
def test_never_deleted_without_a_warning_period(clock, sleeper, mailoutbox, settings):
    """Long past the period but never warned (the worker was down): warned first."""
    clock.move_to(days_after(900))
    counts = services.purge_personal_data()
    assert counts == counts | {"accounts_warned": 1, "accounts_deleted": 0}
    clock.move_to(days_after(929))
    assert services.purge_personal_data()["accounts_deleted"] == 0
    clock.move_to(days_after(930))
    assert services.purge_personal_data()["accounts_deleted"] == 1


@pytest.mark.django_db
def test_the_periods_come_from_the_settings(clock, sleeper, settings, mailoutbox):
    settings.PRIVACY_INACTIVE_ACCOUNT_DAYS = 100
    settings.PRIVACY_INACTIVE_WARNING_DAYS = 10
    clock.move_to(days_after(90))
    assert services.purge_personal_data()["accounts_warned"] == 1
    clock.move_to(days_after(100))
    assert services.purge_personal_data()["accounts_deleted"] == 1


@pytest.mark.django_db
def test_old_rosters_lose_their_people_not_their_hours(clock, resident, manager, tilleuls):
    old = ShiftFactory(
        action__neighbourhood=tilleuls,
        starts_at=days_after(3),
        ends_at=days_after(3) + timedelta(hours=2),
    )
    recent = ShiftFactory(
        action=old.action, starts_at=days_after(300), ends_at=days_after(300) + timedelta(hours=3)
    )
    guest = volunteering.register_offline_volunteer(
        actor=manager, name="Mme Diallo", phone="06 00 00 00 00", consent=True
    )
    loyal = volunteering.register_offline_volunteer(actor=manager, name="M. Ba", consent=True)
    for shift in (old, recent):
        signup = volunteering.sign_up(shift=shift, actor=resident)
        volunteering.sign_up(shift=shift, actor=manager, offline_volunteer=loyal)
        volunteering.record_attendance(signup=signup, actor=manager, present=True)
    volunteering.sign_up(shift=old, actor=manager, offline_volunteer=guest)

    clock.move_to(days_after(302))

    def statistics():
        return [
            (a.shift_count, a.taken, a.present, a.given)
            for a in annotate_statistics(Action.objects.all(), by="action")
        ]

    before = statistics()
    assert volunteering.hours_given(user=resident) == 5

    clock.move_to(days_after(3 + 366))
    counts = services.purge_personal_data()
    assert counts["signups_anonymised"] == 3 and counts["desk_volunteers_deleted"] == 1
    assert statistics() == before
    old_signups = Signup.objects.filter(shift=old)
    assert all(s.is_anonymised and s.person_name == FORMER for s in old_signups)
    assert not old_signups.filter(registered_by__isnull=False).exists()
    assert not old_signups.filter(checked_in_by__isnull=False).exists()
    # The recent shift keeps its roster; M. Ba, still on it, stays; Mme Diallo goes.
    assert Signup.objects.filter(shift=recent, user=resident).exists()
    assert list(OfflineVolunteer.objects.values_list("name", flat=True)) == ["M. Ba"]
    assert volunteering.hours_given(user=resident) == 3
    # Idempotent.
    assert services.purge_personal_data()["signups_anonymised"] == 0
    assert Shift.objects.count() == 2


@pytest.mark.django_db
def test_old_attendance_lists_lose_their_people_not_their_results(
    clock, resident, other_resident, manager, tilleuls
):
    assembly = make_assembly(manager, tilleuls, starts_at=days_after(7))
    clock.move_to(days_after(7))
    present_member(assembly, resident, manager)
    present_member(assembly, other_resident, manager)
    motion = open_vote(assembly, manager)
    vote(resident, motion, "for")
    result = close(motion, manager).result
    later = make_assembly(manager, tilleuls, starts_at=days_after(300))
    present_member(later, resident, manager)

    clock.move_to(days_after(7 + 366))
    assert services.purge_personal_data()["participants_anonymised"] == 2
    old = Participant.objects.filter(assembly=assembly)
    assert old.count() == 2 and not old.filter(user__isnull=False).exists()
    assert not old.filter(checked_in_by__isnull=False).exists()
    assert all(p.name == FORMER for p in old)
    motion.refresh_from_db()
    assert motion.result == result
    assert Participant.objects.get(assembly=later).user == resident


# --- The daily run on the database task worker -----------------------------------------------

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def run_worker():
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
    failed = list(DBTaskResult.objects.failed())
    assert not failed, failed[0].traceback


def waiting_runs():
    return list(
        DBTaskResult.objects.filter(task_path=tasks.TASK_PATH, status=TaskResultStatus.READY)
    )


@pytest.mark.django_db(transaction=True)
def test_the_daily_run_is_queued_once_and_requeues_itself(clock, tilleuls, mailoutbox):
    user = UserFactory(email="dormeur@example.org", neighbourhood=tilleuls)
    User.objects.filter(pk=user.pk).update(last_login=T0, date_joined=T0)
    with override_settings(TASKS=DB_TASKS):
        call_command("purge_personal_data", "--schedule", verbosity=0)
        call_command("purge_personal_data", "--schedule", verbosity=0)
        (first,) = waiting_runs()
        assert first.run_after == datetime(2026, 1, 6, 3, 0, tzinfo=PARIS)

        clock.move_to(days_after(700) + timedelta(hours=18))  # the next night, 04:00
        tasks.schedule_daily_retention()  # a restart meanwhile: still one run waiting
        run_worker()
        assert DBTaskResult.objects.get(pk=first.pk).status == TaskResultStatus.SUCCESSFUL
        assert DBTaskResult.objects.get(pk=first.pk).return_value["accounts_warned"] == 1
        (following,) = waiting_runs()
        assert following.run_after == datetime(2027, 12, 8, 3, 0, tzinfo=PARIS)
        assert len(warnings_to(mailoutbox, "dormeur@example.org")) == 1

        run_worker()  # nothing due yet
        assert len(waiting_runs()) == 1


@pytest.mark.django_db
def test_the_command_runs_the_work_now(clock, sleeper, mailoutbox, capsys):
    clock.move_to(days_after(700))
    call_command("purge_personal_data")
    assert "accounts_warned: 1" in capsys.readouterr().out
