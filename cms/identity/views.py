from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from . import identity

# The address carries a version that changes with the colour: it can be cached for long.
ACCENT_CSS_CACHE_SECONDS = 365 * 24 * 3600


@require_http_methods(["GET", "HEAD"])
@cache_control(max_age=ACCENT_CSS_CACHE_SECONDS, public=True)
def accent_css(request):
    """The Régie's colour as a tiny stylesheet: no inline <style> that the CSP would block."""
    data = identity.for_request(request)
    response = HttpResponse(identity.accent_css(data["accent"]), content_type="text/css")
    return response
