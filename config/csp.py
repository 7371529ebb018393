"""The Content-Security-Policy header (django-csp), with two additions of ours.

The policy itself is ``CONTENT_SECURITY_POLICY`` in ``config/settings.py``. This
middleware adds:

- the WebSocket origin of the page's own host to ``connect-src``. CSP Level 3 lets
  ``'self'`` match ``ws:``/``wss:`` on the same host, but older Safari versions did not:
  naming the host keeps the live pages working there too.
- the strict policy on our own staff pages that Wagtail's admin URLs serve
  (``/admin/agir/…``: check-in, printable roster, certificates). The rest of ``/admin/``
  is excluded from the policy because Wagtail's admin needs inline scripts and styles,
  but these pages only use ``templates/`` and ``static/`` of ours.
"""

from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import DisallowedHost


def _own_page_under_admin(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return match.view_name in getattr(settings, "CSP_STRICT_VIEW_NAMES", ())


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts  # a 400 page: no live updates there
        socket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", ()), socket]
        parts.update = update
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if (
            HEADER not in response
            and not getattr(response, "_csp_exempt", False)
            and _own_page_under_admin(request)
        ):
            parts = self.get_policy_parts(request=request, response=response)
            response[HEADER] = build_policy(**asdict(parts))
        return response
