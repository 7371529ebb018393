"""The API's write throttle, applied to every view through DEFAULT_THROTTLE_CLASSES.

Only writes count: reading the API (lists, live snapshots) stays free, while a script
that posts supports, sign-ups or votes in a loop gets a 429 in the API's error shape
(``api.errors.exception_handler``) with a ``Retry-After`` header.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class WriteRateThrottle(SimpleRateThrottle):
    """``settings.API_WRITE_THROTTLE_RATE`` writes per user, or per IP when anonymous.

    The history lives in the default cache (Redis in production, shared by every server
    process; one process's memory otherwise)."""

    scope = "writes"

    def get_rate(self):
        # Read on each request (DRF's own rates are frozen at import), so that a changed
        # setting applies without a restart of the test process.
        return settings.API_WRITE_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if request.method not in WRITE_METHODS:
            return None  # not throttled
        user = request.user
        if user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
