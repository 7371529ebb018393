"""The language of a WebSocket's page, so that labels pushed live match the page."""

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


def _supported(code):
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


def language_from_scope(scope):
    """Same order as the HTTP side: the language cookie, the resident's preference, then
    the browser's Accept-Language, then the site default."""
    cookie = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie and _supported(cookie):
        return _supported(cookie)
    user = scope.get("user")
    preferred = getattr(user, "preferred_language", None) if user is not None else None
    if preferred and getattr(user, "is_authenticated", False) and _supported(preferred):
        return _supported(preferred)
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")[:500]
    for code, _quality in parse_accept_lang_header(accept):
        if code != "*" and _supported(code):
            return _supported(code)
    return settings.LANGUAGE_CODE
