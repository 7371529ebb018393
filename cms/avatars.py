"""Staff avatars in the Wagtail admin: the person's uploaded picture, or their initials.

Wagtail falls back to Gravatar, a third-party service that would learn who opens the
admin; with ``WAGTAIL_GRAVATAR_PROVIDER_URL = None`` it shows a grey silhouette instead,
the same for everyone. Initials on the Régie's colour tell people apart and need no request:
the picture is an inline SVG (a ``data:`` URL).
"""

import re
from urllib.parse import quote

from django.utils.html import escape

BACKGROUND = "#2e1f5e"  # Wagtail's own sidebar colour: white text on it passes AA.


def initials(user) -> str:
    """Up to two letters: the first of the first two words of the name (or of the email)."""
    name = (getattr(user, "display_name", "") or "").strip()
    if not name:
        name = (getattr(user, "email", "") or "").split("@")[0].replace(".", " ")
    words = re.findall(r"[^\W_]+", name)
    return "".join(word[0] for word in words[:2]).upper() or "?"


def initials_url(user, size: int = 50) -> str:
    letters = escape(initials(user))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{int(size)}" height="{int(size)}" '
        f'viewBox="0 0 100 100"><rect width="100" height="100" fill="{BACKGROUND}"/>'
        '<text x="50" y="50" dy=".35em" text-anchor="middle" fill="#fff" '
        'font-family="system-ui, sans-serif" font-size="42" font-weight="600">'
        f"{letters}</text></svg>"
    )
    return "data:image/svg+xml," + quote(svg)


def avatar_url(user, size: int = 50) -> str | None:
    """The ``get_avatar_url`` hook: None lets Wagtail show an uploaded picture."""
    profile = getattr(user, "wagtail_userprofile", None)
    if profile is not None and profile.avatar:
        return None
    return initials_url(user, size)
