"""The daily retention run, on the task worker (``manage.py db_worker``).

``schedule_daily_retention()`` enqueues ``run_daily_retention`` for the next run time
(``PRIVACY_RUN_HOUR``, local time) unless one is already waiting; each run does the work
(``services.purge_personal_data``) then schedules the next the same way. So whoever calls
``schedule_daily_retention`` (``manage.py purge_personal_data --schedule`` at start-up,
any number of times), at most one run waits in the queue, and two runs the same day would
do nothing more than one (every step is idempotent).

Backends that cannot defer tasks (the ImmediateBackend of the tests and of some
development setups) get nothing scheduled: ``manage.py purge_personal_data`` runs the
work by hand.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from civic.privacy import services

TASK_PATH = "civic.privacy.tasks.run_daily_retention"


def next_run_at(now=None):
    """The next ``PRIVACY_RUN_HOUR`` o'clock (local time) strictly after ``now``."""
    now = timezone.localtime(now or timezone.now())
    hour = int(getattr(settings, "PRIVACY_RUN_HOUR", 3))
    candidate = timezone.make_aware(datetime.combine(now.date(), time(hour)))
    if candidate <= now:
        candidate = timezone.make_aware(
            datetime.combine(now.date() + timedelta(days=1), time(hour))
        )
    return candidate


def _supports_defer():
    return bool(getattr(run_daily_retention.get_backend(), "supports_defer", False))


def _already_waiting():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.READY).exists()


def schedule_daily_retention(*, now=None):
    """Enqueue the next daily run unless one is waiting; returns the task result or None."""
    if not _supports_defer() or _already_waiting():
        return None
    return run_daily_retention.using(run_after=next_run_at(now)).enqueue()


@task()
def run_daily_retention():
    try:
        return services.purge_personal_data()
    finally:
        # Even after a failure: tomorrow's run must still happen.
        schedule_daily_retention()
