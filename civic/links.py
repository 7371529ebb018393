"""Absolute links to this site, built in one place.

Every link that leaves the page it is on (API ``url`` fields, feeds, calendar files,
emails, QR codes) is absolute. With a request, it is built on the address the person
actually reached (scheme and host as Django validated them: ``ALLOWED_HOSTS``, and the
proxy's ``X-Forwarded-Proto`` where ``SECURE_PROXY_SSL_HEADER`` is set). Without one (a
background task, an email, a management command) it is built on ``SITE_URL``.

Wagtail's own ``page.get_full_url()`` is not used for this: it writes the Wagtail
``Site`` record's hostname and port (``http://localhost`` on a fresh installation),
which is not where the resident reached the site.
"""

from urllib.parse import urljoin, urlsplit

from django.conf import settings


def site_origin(request=None):
    """``scheme://host[:port]`` of the site, without a trailing slash."""
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return settings.SITE_URL.rstrip("/")


def absolute_url(path_or_url, request=None):
    """The absolute form of a site path (``/idees/3/``); an absolute URL is kept."""
    if urlsplit(path_or_url).scheme:
        return path_or_url
    return urljoin(site_origin(request) + "/", path_or_url)


def page_url(page, request=None):
    """The absolute URL of a Wagtail page (``None`` if the page is not routable)."""
    path = page.get_url(request=request)
    return absolute_url(path, request) if path else None


def installation_host():
    """The host name that identifies this installation in calendar UIDs and message ids:
    stable whatever address a file was fetched from (``SITE_URL``'s host)."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
