"""The retention periods, read from settings (``PRIVACY_*``, environment variables)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class Retention:
    inactive_account_days: int
    warning_days: int
    roster_days: int

    @property
    def inactive_account(self):
        return timedelta(days=self.inactive_account_days)

    @property
    def warning(self):
        return timedelta(days=self.warning_days)

    @property
    def roster(self):
        return timedelta(days=self.roster_days)

    @property
    def inactive_account_years(self):
        return round(self.inactive_account_days / 365, 1)


def current():
    inactive = int(getattr(settings, "PRIVACY_INACTIVE_ACCOUNT_DAYS", 730))
    # The warning comes before the deletion, never after: at most the whole period.
    warning = min(int(getattr(settings, "PRIVACY_INACTIVE_WARNING_DAYS", 30)), inactive)
    roster = int(getattr(settings, "PRIVACY_ROSTER_RETENTION_DAYS", 365))
    return Retention(inactive_account_days=inactive, warning_days=warning, roster_days=roster)
