"""What every HTML door shares: the page that says why an action is refused, the page number
of a list that never fails, and the one-time token that makes a form sent twice do its work
once.

Each app's public views use these instead of their own copy; the app only gives its words
and addresses (« Revenir à l'idée », the list of ideas). Like ``civic.errors``, this module
knows nothing of the CMS or the API: ``cms`` may import it, never the other way round.
"""

import secrets
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FORBIDDEN_TEMPLATE = "forbidden.html"
# The attribute a view sets (``remember_back``) once it knows the object the person came for.
BACK_URL_ATTRIBUTE = "denied_back_url"

Label = str | Promise
View = Callable[..., HttpResponse]

# One-time form tokens: the session remembers where the last forms led, keyed by token.
DONE_TOKENS_KEY = "done_form_tokens"
MAX_DONE_TOKENS = 20
MAX_TOKEN_LENGTH = 64
# The page's title when the app does not give another one.
ACTION_IMPOSSIBLE = _("Action impossible")


def remember_back(request: HttpRequest, url: str) -> None:
    """Say where the « back » link of a refusal on this request leads (the idea, the action)."""
    setattr(request, BACK_URL_ATTRIBUTE, url)


def forbidden_page(
    request: HttpRequest,
    message: str = "",
    *,
    title: Label = ACTION_IMPOSSIBLE,
    back_url: str | None = None,
    back_label: Label = "",
    list_url: str | None = None,
    list_label: Label = "",
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A plain 403 page: why (``message``, or a general sentence), a link back to the object
    the person came from and a link to the app's list (each shown only with its address)."""
    page = {
        "title": title,
        "message": message,
        "back_url": back_url,
        "back_label": back_label,
        "list_url": list_url,
        "list_label": list_label,
        **(context or {}),
    }
    return render(request, FORBIDDEN_TEMPLATE, page, status=403)


def denied_as_page(
    *,
    back_label: Label,
    list_url: str,
    list_label: Label,
    title: Label = ACTION_IMPOSSIBLE,
) -> Callable[[View], View]:
    """A view decorator: a ``PermissionDenied`` raised by the view becomes ``forbidden_page``
    with the exception's message. ``list_url`` is a URL name (``"proposals:list"``); the
    « back » link is the address the view gave to ``remember_back``, when it got that far."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                return forbidden_page(
                    request,
                    str(error) if error.args else "",
                    title=title,
                    back_url=getattr(request, BACK_URL_ATTRIBUTE, None),
                    back_label=back_label,
                    list_url=reverse(list_url),
                    list_label=list_label,
                )

        return wrapper

    return decorator


# --- Where a person comes back to -----------------------------------------------------------

# A cancel button sent from a person's own lists says so in a hidden ``retour`` field, and
# the person lands back on that list rather than on the object's page. Only these names are
# read: the field is never a URL, so it cannot send anyone elsewhere.
RETURN_FIELD = "retour"
RETURN_PAGES = {
    "mes-inscriptions": "accounts:registrations",
    "mes-creneaux": "volunteering:mine",
}


def chosen_return(request: HttpRequest, default: str) -> str:
    """The page named by the posted ``retour`` field, or ``default`` (the object's page)."""
    name = request.POST.get(RETURN_FIELD, "")
    return reverse(RETURN_PAGES[name]) if name in RETURN_PAGES else default


# --- Lists --------------------------------------------------------------------------------


def clamp_page(raw: object, num_pages: int) -> int:
    """Any page number (missing, -1, 0, "abc", "1.5", 10**30) becomes a page that exists:
    the first for what is not a whole number or is below 1, the last for what is beyond it."""
    try:
        # A few digits are enough; int() of thousands of them is slow, then refused.
        number = int(str(raw)[:12])
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


def paginate(request: HttpRequest, object_list: QuerySet | list, per_page: int) -> Page:
    """The page of ``object_list`` that ``?page=`` asks for, clamped (``clamp_page``)."""
    paginator = Paginator(object_list, per_page)
    return paginator.page(clamp_page(request.GET.get("page"), paginator.num_pages))


# --- One-time form tokens ---------------------------------------------------------------------
# A form carries a fresh token (hidden field ``token``). Once handled, the session remembers
# where it led; the same token sent again (back button, double tap, a slow network resending)
# goes there without doing the work twice. A view may scope a token (``f"{token}:{shift.pk}"``)
# when one page holds several forms.


def new_form_token() -> str:
    """A fresh token for the hidden ``token`` field of a form about to be shown."""
    return secrets.token_urlsafe(16)


def posted_form_token(request: HttpRequest) -> str:
    """The token this POST carries ("" without one), cut to a sane length."""
    return (request.POST.get("token") or "")[:MAX_TOKEN_LENGTH]


def done_url(request: HttpRequest, token: str) -> str | None:
    """Where a form already handled with this token led (a double submission), if any."""
    if not token:
        return None
    return request.session.get(DONE_TOKENS_KEY, {}).get(token)


def remember_done(request: HttpRequest, token: str, url: str) -> None:
    """Remember that the form with this token was handled and led to ``url``; only the last
    ``MAX_DONE_TOKENS`` are kept, so the session stays small."""
    if not token:
        return
    done = dict(request.session.get(DONE_TOKENS_KEY, {}))
    done[token] = url
    request.session[DONE_TOKENS_KEY] = dict(list(done.items())[-MAX_DONE_TOKENS:])
