"""A tour of every page type of the demo site, for the tools a person runs by hand:
``make screenshots`` (``e2e/screenshots.py``) and ``make lighthouse`` (``e2e/lighthouse.py``).

The pages are those of the accessibility checks (``e2e/test_accessibility.py``), found the
same way (by following links from lists), plus the Wagtail admin pages staff open every day.
The demo site is set up in a temporary folder and served by uvicorn on 127.0.0.1, as for the
browser suite (``e2e.conftest.demo_server``), and stopped by its process id at the end.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from e2e.conftest import ACTION_TIMEOUT_MS, CHROMIUM, CHROMIUM_ARGS, DEMO, demo_server
from e2e.test_accessibility import PUBLIC_PAGES, RESIDENT_PAGES, STAFF_PAGES, _log_in

ADMIN_PAGES = {
    "admin dashboard": "/admin/",
    "admin page explorer": "/admin/pages/",
}
# Who looks at which pages: one signed-in context per persona.
TOUR = {
    None: PUBLIC_PAGES,
    "amina": RESIDENT_PAGES,
    "manager": {**STAFF_PAGES, **ADMIN_PAGES},
}
OUTPUT = Path(__file__).resolve().parent.parent / "test-results"


@contextlib.contextmanager
def demo_site():
    """The demo site, served until the block ends (or ``E2E_SERVER_URL``, already up)."""
    if os.environ.get("E2E_SERVER_URL"):
        yield os.environ["E2E_SERVER_URL"].rstrip("/")
        return
    with tempfile.TemporaryDirectory(prefix="qc-tour-") as folder:
        with demo_server(Path(folder)) as server:
            yield server.origin


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser, origin, width, height=900, **options):
    context = browser.new_context(
        base_url=origin,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": width, "height": height},
        **options,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


def resolved_pages(browser, origin):
    """``[(persona, name, path)]`` for every page of the tour, links followed once."""
    tour = []
    for persona, pages in TOUR.items():
        context = new_context(browser, origin, 1280)
        try:
            page = context.new_page()
            if persona:
                _log_in(page, DEMO[persona])
            links = {}
            for name, where in pages.items():
                if isinstance(where, tuple):  # a form sent: not a page of its own
                    continue
                path = where(page, links) if callable(where) else where
                tour.append((persona, name, path))
        finally:
            context.close()
    return tour


def storage_state(browser, origin, persona):
    """The cookies of ``persona`` signed in (``None``: a visitor), for other contexts."""
    if persona is None:
        return None
    context = new_context(browser, origin, 1280)
    try:
        _log_in(context.new_page(), DEMO[persona])
        return context.storage_state()
    finally:
        context.close()
