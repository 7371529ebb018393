"""What every page shows of the Régie (name, logo, icons, colour), cached per host.

Read on every page, changed a few times a year: the first request on a host builds a small
dict (one query for the Site, one for the setting, the renditions of its pictures), later
requests read it from the cache. Saving the setting or an image forgets it (``apps.py``).
"""

import hashlib

from django.core.cache import cache
from wagtail.images.models import SourceImageIOError
from wagtail.models import Site

from . import contrast
from .models import DEFAULT_ACCENT, DEFAULT_NAME, RegieIdentity

CACHE_KEY = "regie-identity-v1"
CACHE_SECONDS = 24 * 3600
LOGO_FILTER = "height-80"  # shown 40 px high, sharp on 2× screens
FAVICON_FILTERS = {"icon": "fill-32x32|format-png", "touch": "fill-180x180|format-png"}
SHARE_FILTER = "fill-1200x630|format-jpeg|jpegquality-80"
SHARE_LOGO_FILTER = "max-1200x630|format-png"


def _rendition(image, spec):
    if image is None:
        return None
    try:
        rendition = image.get_rendition(spec)
    except (SourceImageIOError, OSError):
        return None  # the file is missing: the page still opens, with the defaults
    return {"url": rendition.url, "width": rendition.width, "height": rendition.height}


def default_identity():
    return {
        "name": DEFAULT_NAME,
        "logo": None,
        "favicon": None,
        "touch_icon": None,
        "share_image": None,
        "accent": DEFAULT_ACCENT,
        "accent_css_version": None,
    }


def _build(site):
    data = default_identity()
    if site is None:
        return data
    setting = (
        RegieIdentity.objects.filter(site=site)
        .select_related("logo", "favicon", "share_image")
        .first()
    )
    if setting is None:
        return data
    data["name"] = setting.name or DEFAULT_NAME
    data["logo"] = _rendition(setting.logo, LOGO_FILTER)
    data["favicon"] = _rendition(setting.favicon, FAVICON_FILTERS["icon"])
    data["touch_icon"] = _rendition(setting.favicon, FAVICON_FILTERS["touch"])
    data["share_image"] = _rendition(setting.share_image, SHARE_FILTER) or _rendition(
        setting.logo, SHARE_LOGO_FILTER
    )
    try:
        accent = contrast.normalise(setting.accent)
    except ValueError:
        accent = DEFAULT_ACCENT
    if accent != DEFAULT_ACCENT:
        # The stylesheet already holds the default: a second one only for another colour,
        # its address changing with the colour so that browsers fetch the new one at once.
        data["accent"] = accent
        data["accent_css_version"] = hashlib.sha256(accent.encode()).hexdigest()[:10]
    return data


def _host_key(request):
    try:
        return request.get_host().lower()
    except Exception:  # DisallowedHost: Django answers 400 itself; show the defaults meanwhile
        return ""


def for_request(request):
    key = _host_key(request)
    by_host = cache.get(CACHE_KEY) or {}
    if key in by_host:
        return by_host[key]
    data = _build(Site.find_for_request(request)) if key else default_identity()
    by_host[key] = data
    cache.set(CACHE_KEY, by_host, CACHE_SECONDS)
    return data


def forget(*args, **kwargs):
    cache.delete(CACHE_KEY)


def accent_css(accent):
    """The accent and its hover shade, as custom properties (static/css/site.css reads them)."""
    dark = contrast.darken(accent, 0.08)
    return f":root{{--accent:{accent};--accent-dark:{dark}}}\n"
