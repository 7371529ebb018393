from django.core.management.base import BaseCommand

from civic.privacy import services, tasks


class Command(BaseCommand):
    help = (
        "Apply the personal data retention rules now (inactive accounts warned then "
        "deleted, old rosters and attendance lists anonymised). With --schedule: only make "
        "sure the daily run is queued for the task worker (idempotent; run at start-up)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the daily run for the worker instead of running now.",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            result = tasks.schedule_daily_retention()
            if result is None:
                self.stdout.write("Daily retention run: already queued (or no deferring backend).")
            else:
                self.stdout.write(f"Daily retention run queued for {result.task.run_after}.")
            return
        counts = services.purge_personal_data()
        for key, value in counts.items():
            self.stdout.write(f"{key}: {value}")
