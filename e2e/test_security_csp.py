"""The Content-Security-Policy in a real browser: a visitor, a resident and the Régie walk
through the site's pages (links followed from a few starting points) and Chromium reports no
violation (an inline script, handler or style attribute it blocked), while the live pages
still open their WebSocket.

The server runs with DJANGO_ENV=development: the same policy as in production.
"""

import re
from urllib.parse import urlsplit

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')

from e2e.conftest import DEMO  # noqa: E402

# Never followed: the admins (left out of the policy), downloads, feeds, and anything that
# changes state on GET (there is none, but logging out is a POST anyway).
SKIPPED = re.compile(
    r"^/(admin|django-admin|api|documents|media|static|jsi18n|i18n)/|\.(ics|csv|rss|atom)$"
)
# Our staff pages served under /admin/ keep the strict policy: followed too.
OURS_UNDER_ADMIN = re.compile(
    r"^/admin/agir/(creneaux/\d+/(pointage|imprimer)|attestations/\w+/\d+)/$"
)
MAX_PAGES = 45


def watch(page):
    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def crawl(page, starts, *, limit=MAX_PAGES, only=None):
    """Visit ``starts`` and the same-site links found on them, breadth first (``only``: the
    paths to follow, admin ones included)."""
    origin = urlsplit(page.url or starts[0]).netloc
    queue, seen = list(starts), set()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            response = page.goto(path)
        except Exception as error:  # a file download (calendar, CSV): not a page
            if "Download is starting" in str(error):
                continue
            raise
        assert response is not None and response.status < 500, path
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != origin:
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in seen or link in queue:
                continue
            if only is not None:
                if only.match(parts.path):
                    queue.append(link)
            elif OURS_UNDER_ADMIN.match(parts.path) or (
                not SKIPPED.search(parts.path) and "logout" not in parts.path
            ):
                queue.append(link)
    return seen


def test_no_page_breaks_the_policy_for_a_visitor(personas, server):
    page = personas("visitor").new_page()
    violations = watch(page)
    page.goto("/")
    seen = crawl(page, ["/", "/idees/", "/agir/", "/assemblees/", "/comptes/signup/"])
    assert len(seen) > 10
    assert violations == []


def test_no_page_breaks_the_policy_for_a_resident_and_live_pages_connect(personas, server):
    amina = personas("amina")
    page = amina.log_in(DEMO["amina"])
    violations = watch(page)
    seen = crawl(page, ["/mon-compte/", "/idees/mes-idees/", "/agir/mes-creneaux/", "/assemblees/"])
    assert len(seen) > 5
    # The home page's live news socket opens under the policy.
    page.goto("/")
    page.live.wait_for("/ws/live/", "hello")
    assert violations == []


def test_no_staff_page_outside_wagtail_breaks_the_policy(personas, server):
    nadia = personas("manager")
    page = nadia.log_in(DEMO["manager"], start="/admin/", lands="/admin/")
    violations = watch(page)
    # Wagtail's own pages are outside the policy, but lead to ours (check-in, print,
    # certificates); the assemblies' chair, door and projector are linked from their pages.
    staff = re.compile(
        r"^/assemblees/\d+/(presidence|accueil|projecteur)?/?$"
        r"|^/admin/agir/actions/(\d+/creneaux/)?$"
        r"|^/admin/agir/creneaux/\d+/(liste|pointage|imprimer)/$"
    )
    seen = crawl(page, ["/assemblees/", "/admin/agir/actions/"], only=staff)
    assert any(re.match(r"^/assemblees/\d+/presidence/", path) for path in seen), seen
    assert any("/pointage/" in path for path in seen), seen
    assert violations == []


def test_the_browser_enforces_it_and_the_watch_sees_it(personas, server):
    """An injected inline script is refused and reported: the tests above can fail."""
    page = personas("visitor").new_page()
    violations = watch(page)
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert violations
