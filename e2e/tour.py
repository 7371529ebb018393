"""A tour of every page type of the demo site, for the tools a person runs by hand:
``make screenshots`` (``e2e/screenshots.py``) and ``make lighthouse`` (``e2e/lighthouse.py``).

The pages are those of the accessibility checks (``e2e/test_accessibility.py``), found the
same way (by following links from lists), plus the Wagtail admin pages staff open every day.
The demo site is set up in a temporary folder and served by uvicorn on 127.0.0.1, as for the
browser suite (``e2e.conftest.demo_server``), and stopped by its process id at the end.
"""

import contextlib
import http.server
import io
import os
import tempfile
import threading
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


def _tile_png():
    """One plain map background tile (256 px, the colour of a quiet street map)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    for offset in (0, 128):
        draw.line([(offset, 0), (offset, 256)], fill=(255, 255, 255), width=6)
        draw.line([(0, offset), (256, offset)], fill=(255, 255, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@contextlib.contextmanager
def offline_tiles():
    """A map tile server on 127.0.0.1 that answers every tile with the same plain one.

    The machine that measures may have no network: pages with a map would then log a
    failed request per tile, and Lighthouse would count those console errors against the
    page. Served here, the map's cost is measured, not the tile service's. Ends with the block.
    """
    tile = _tile_png()

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.send_header("Cache-Control", "max-age=86400")
            self.end_headers()
            try:
                self.wfile.write(tile)
            except ConnectionError:  # the page moved on before the tile arrived
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def demo_site():
    """The demo site, served until the block ends (or ``E2E_SERVER_URL``, already up)."""
    if os.environ.get("E2E_SERVER_URL"):
        yield os.environ["E2E_SERVER_URL"].rstrip("/")
        return
    with tempfile.TemporaryDirectory(prefix="qc-tour-") as folder, offline_tiles() as tiles:
        app = demo_server(Path(folder))
        app.env["MAP_TILE_URL"] = tiles
        with app as server:
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
