"""The HTML of every page type passes the W3C Nu HTML checker (vnu) with no error.

The pages of the tour (``e2e/tour.py``: those of the accessibility checks), each as the person
who sees it, fetched as sent by the server (not
the DOM after scripts), checked in one run of ``vnu.jar`` (``e2e/node/package.json``, from
the npm registry, run by the machine's Java). Warnings are not errors and are not counted.
The Wagtail admin's own pages are left out: their markup is Wagtail's, not ours.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')

from e2e.conftest import DEMO, _in_ci  # noqa: E402
from e2e.test_accessibility import _log_in  # noqa: E402
from e2e.tour import ADMIN_PAGES, TOUR, new_context  # noqa: E402

VNU = Path(__file__).resolve().parent / "node" / "node_modules" / "vnu-jar" / "build" / "dist"
VNU_JAR = VNU / "vnu.jar"


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.fixture(scope="module")
def sources(browser, server, tmp_path_factory):
    """``{file: (persona, page name, path)}``: the HTML of every page type, as served."""
    folder = tmp_path_factory.mktemp("html")
    found = {}
    for persona, pages in TOUR.items():
        context = new_context(browser, server.origin, 1280)
        try:
            page = context.new_page()
            if persona:
                _log_in(page, DEMO[persona])
            links = {}
            for name, where in pages.items():
                if isinstance(where, tuple) or name in ADMIN_PAGES:
                    continue
                path = where(page, links) if callable(where) else where
                response = context.request.get(path, headers={"Accept": "text/html"})
                assert response.ok or response.status == 404, (path, response.status)
                target = folder / f"{_slug(persona or 'visitor')}--{_slug(name)}.html"
                target.write_bytes(response.body())
                found[str(target)] = (persona, name, path)
        finally:
            context.close()
    return found


def test_every_page_type_is_valid_html(sources):
    java = shutil.which("java")
    if not (java and VNU_JAR.exists()):
        reason = "the Nu HTML checker needs Java and `npm ci --prefix e2e/node`"
        if _in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    result = subprocess.run(  # noqa: S603 (fixed command, no shell)
        [
            java,
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{sources[m['url'].removeprefix('file:')][2]} (line {m.get('lastLine')}): {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert len(sources) >= 30
    assert errors == [], "\n".join(errors)
