"""Browser end-to-end tests: real people's journeys in a real Chromium.

Running them
------------
``make test-e2e`` (installs the ``e2e`` extra, then runs ``python -m pytest -q e2e``).
By hand::

    .venv/bin/pip install -e ".[dev,e2e]"
    .venv/bin/python -m pytest -q e2e

They drive Debian's Chromium (``/usr/bin/chromium``; ``apt-get install chromium``) through
Playwright for Python. Playwright's own browser download is never used (``playwright
install`` is not needed and would fail without network): the browser is launched with
``executable_path``. Another binary can be chosen with ``E2E_CHROMIUM=/path/to/chromium``.
``E2E_SERVER_URL=http://127.0.0.1:8000`` runs them against a server already running (a
database prepared by ``seed_demo`` and ``e2e/arrange_demo.py``), to iterate on one test.
Without Playwright or Chromium the tests are skipped with the reason, except under CI
(``CI`` set), where a missing browser is an error rather than a silent skip.

What is started
---------------
Once per session: a temporary folder with a SQLite database, ``manage.py migrate`` and
``manage.py seed_demo`` (the demo neighbourhood and its logins, password
``quartier-demo-2026``), then a real uvicorn process serving ``config.asgi`` (HTTP and
WebSockets) on 127.0.0.1 and a free port (``tests.live_server_helpers.UvicornServer``:
started with a deadline, always ended by its PID). The server runs with
``DJANGO_ENV=development``, the in-memory channel layer, the *immediate* task backend (emails
go out without a worker) and Django's file email backend, so that a test reads the
confirmation email a person would receive. One browser for the session; each persona gets
its own context (its own cookies), in French (``fr-FR``).

After the demo, ``arrange_demo.py`` adds what the journeys need and the demo lacks (two
residents free to take the clean-up's "accueil" shift; a cancellation cut-off that does
not fall before the journey on a Friday), and says why. Tests share that one database:
each journey uses its own objects (a new idea, a new article, the "accueil" shift), so
that they pass in any order. ``CI`` or not, a run takes about half a minute.

Live updates are asserted on what the page shows. ``page.live`` (``LiveFrames``) only
tells when a page's socket is listening (its "hello" or first snapshot), so that another
person acts after it, never before; no test sleeps.

When a test fails, a screenshot of every page it opened and the server log are written to
``test-results/e2e/`` (ignored by git), and their paths are printed in the report.

Journeys: ``test_accounts.py`` (sign-up, email confirmation, language),
``test_ideas.py`` (propose, publish, support live, comment, follow),
``test_volunteering.py`` (last place, live "Complet", waiting list, promotion, QR code),
``test_news.py`` (publishing in Wagtail, live on the home page), ``test_keyboard.py``
(skip link), ``test_assemblies.py`` (door check-in, chair, three members voting live, the
floor), ``test_accessibility.py`` (axe-core on every page type, live regions, keyboard-only
journeys; the only contexts with ``bypass_csp``, to inject axe).
"""

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live_server_helpers import BASE_DIR, UvicornServer

DEMO_PASSWORD = "quartier-demo-2026"  # noqa: S105 - the published demo password
DEMO = {
    "manager": "direction@demo.quartier-commun.fr",
    "editor": "redaction@demo.quartier-commun.fr",
    "amina": "amina@demo.quartier-commun.fr",
    "marcel": "marcel@demo.quartier-commun.fr",
    "fatou": "fatou@demo.quartier-commun.fr",
    # Added by arrange_demo.py: residents with no sign-up yet.
    "samia": "samia@demo.quartier-commun.fr",
    "yves": "yves@demo.quartier-commun.fr",
}
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long an assertion waits for what a person should see (live updates included).
EXPECT_TIMEOUT_MS = 5_000
# Page loads and clicks: generous, the first Wagtail admin page compiles its templates.
ACTION_TIMEOUT_MS = 15_000
ARTIFACTS = BASE_DIR / "test-results" / "e2e"
# Environment the pytest process may carry and the server must not inherit.
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "STATIC_ROOT",
)


# --- The server -------------------------------------------------------------------------------


def _server_env(folder):
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",  # pytest-django set "test" in this process
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(folder / "emails"),
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _clean_environ():
    environ = dict(os.environ)
    for name in NOT_INHERITED:
        environ.pop(name, None)
    return environ


def _manage(env, *args, timeout=300):
    result = subprocess.run(  # noqa: S603 (fixed command, no shell)
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout.strip()


class E2EServer(UvicornServer):
    """The uvicorn server of ``tests.live_server_helpers``, with what the tests need."""

    def __init__(self, folder):
        self.folder = folder
        env = _server_env(folder)
        super().__init__(env=env, log_path=folder / "uvicorn.log", startup_timeout=30)
        # Not inherited from this process (started with the test settings).
        self.env = {**_clean_environ(), **env, "SITE_URL": self.origin}

    @property
    def emails_folder(self):
        return self.folder / "emails"

    def url(self, path="/"):
        return self.origin + path

    def emails_to(self, address):
        """The messages sent to ``address`` so far (file backend), oldest first."""
        found = []
        if not self.emails_folder.exists():
            return found
        for path in sorted(self.emails_folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
            # One file per connection; its messages are separated by a line of 79 dashes.
            # Read as bytes: bodies are UTF-8 sent as 8bit, which only bytes parse right.
            for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
                message = Email.parse(chunk)
                if message and address.lower() in message.to.lower():
                    found.append(message)
        return found

    def wait_for_email(self, address, *, subject="", body="", timeout=10):
        """The first message to ``address`` whose subject and body contain these texts."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.emails_to(address):
                if subject in message.subject and body in message.body:
                    return message
            if time.monotonic() > deadline:
                got = [message.subject for message in self.emails_to(address)]
                raise AssertionError(
                    f"no email to {address} (subject {subject!r}, body {body!r}) "
                    f"after {timeout}s; received: {got}"
                )
            time.sleep(0.1)


class Email:
    """One message written by Django's file email backend."""

    def __init__(self, to, subject, body):
        self.to, self.subject, self.body = to, subject, body

    @classmethod
    def parse(cls, chunk):
        chunk = chunk.strip(b"\n")
        if not chunk.startswith((b"Content-Type", b"MIME-Version", b"Subject", b"From", b"To")):
            return None
        message = email.message_from_bytes(chunk, policy=email.policy.default)
        if message["To"] is None:
            return None
        part = message.get_body(preferencelist=("plain",)) or message
        return cls(str(message["To"]), str(message["Subject"] or "").strip(), part.get_content())

    def link(self, pattern):
        """The first URL of the body whose path matches ``pattern``."""
        for url in re.findall(r"https?://\S+", self.body):
            if re.search(pattern, url):
                return url
        raise AssertionError(f"no link matching {pattern!r} in:\n{self.body}")


class RunningServer:
    """A server started by hand (``E2E_SERVER_URL``): no setup, nothing stopped."""

    def __init__(self, origin, folder):
        self.origin = origin.rstrip("/")
        self.log_path = folder / "no-log.txt"
        self.log_path.write_text(f"server started by hand: {self.origin}\n")

    def url(self, path="/"):
        return self.origin + path


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    if os.environ.get("E2E_SERVER_URL"):
        # Quick runs of one test against a server already up, its database prepared with
        # seed_demo and arrange_demo.py (journeys reading emails need the one started here).
        yield RunningServer(os.environ["E2E_SERVER_URL"], folder)
        return
    with demo_server(folder) as app:
        yield app


def demo_server(folder):
    """The demo site in ``folder``, set up, ready to be started with ``with``.

    Also used by ``e2e/screenshots.py`` and ``e2e/lighthouse.py``."""
    app = E2EServer(folder)
    # The demo's own emails (sign-ups, digests) go to a folder of their own.
    setup_env = {**app.env, "EMAIL_FILE_PATH": str(folder / "seed-emails")}
    _manage(setup_env, "migrate", "--noinput")
    _manage(setup_env, "seed_demo")
    # What the journeys need beyond the demo (two more residents…): see arrange_demo.py.
    app.arranged = _manage(
        setup_env, "shell", "-c", Path(__file__).with_name("arrange_demo.py").read_text()
    )
    return app


# --- The browser --------------------------------------------------------------------------------


def _in_ci():
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        if _in_ci():
            raise
        pytest.skip('Playwright is not installed: pip install -e ".[e2e]"')
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (or set E2E_CHROMIUM)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        manager.stop()


class LiveFrames:
    """The WebSocket frames a page receives, recorded from each socket's creation.

    Used to know that a page is *listening* (its socket said hello, or sent its snapshot)
    before another person acts; what is asserted afterwards is still what the page shows.
    Only the sockets of the page's current document count: after a reload or a form
    sent, the new document must have its own. (A same-document navigation to a
    ``#fragment`` counts as a new document too: waiting after one fails, never passes.)
    """

    def __init__(self, page):
        self.page = page
        self.document = 0
        self.sockets = []  # (document number, url, frames received)
        page.on("framenavigated", self._on_navigated)
        page.on("websocket", self._on_socket)

    def _on_navigated(self, frame):
        if frame == self.page.main_frame:
            self.document += 1

    def _on_socket(self, socket):
        frames = []
        self.sockets.append((self.document, socket.url, frames))
        # (A plain function: Playwright tags its handlers, which a bound builtin refuses.)
        socket.on("framereceived", lambda payload: frames.append(payload))

    def events(self, path):
        """The JSON messages received by the current document's sockets on ``path``."""
        found = []
        for document, url, frames in self.sockets:
            if document != self.document or path not in url:
                continue
            for payload in frames:
                try:
                    found.append(json.loads(payload))
                except (TypeError, ValueError):
                    continue
        return found

    def wait_for(self, path, event, timeout=EXPECT_TIMEOUT_MS):
        """Wait until a socket of this document on ``path`` has received ``event``."""
        deadline = time.monotonic() + timeout / 1000
        while time.monotonic() < deadline:
            if any(message.get("event") == event for message in self.events(path)):
                return
            self.page.wait_for_timeout(50)  # lets Playwright deliver the queued events
        raise AssertionError(
            f"no {event!r} frame on {path} after {timeout} ms; sockets: "
            f"{[(document, url, len(frames)) for document, url, frames in self.sockets]}"
        )


class Persona:
    """One person: a browser context of their own (cookies, language), and their pages."""

    def __init__(self, name, context, server):
        self.name = name
        self.context = context
        self.server = server
        self.pages = []

    def new_page(self):
        page = self.context.new_page()
        page.live = LiveFrames(page)
        self.pages.append(page)
        return page

    def log_in(self, email, page=None, *, start="/comptes/login/", lands="/mon-compte/"):
        """Log in through the sign-in form, as a person would; returns the page.

        ``start``: the address opened first (a protected page sends to the form with
        ``?next=``); ``lands``: the path the person ends on.
        """
        from playwright.sync_api import expect

        page = page or self.new_page()
        page.goto(start)
        expect(page.get_by_role("heading", name="Connexion", level=1)).to_be_visible()
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Connexion").click()
        expect(page).to_have_url(self.server.url(lands))
        return page


@pytest.fixture
def personas(browser, server, request):
    """``personas("amina")`` → a new Persona (context in fr-FR); all closed after the test."""
    created = []

    def make(name):
        context = browser.new_context(
            base_url=server.origin,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
        persona = Persona(name, context, server)
        created.append(persona)
        return persona

    yield make

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        _save_artifacts(request.node, created, server)
    for persona in created:
        persona.context.close()


def _save_artifacts(item, personas, server):
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", item.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    for persona in personas:
        for number, page in enumerate(persona.pages):
            if page.is_closed():
                continue
            try:
                page.screenshot(path=str(folder / f"{persona.name}-{number}.png"), full_page=True)
            except Exception as error:  # artefacts must not hide the failure itself
                (folder / f"{persona.name}-{number}.txt").write_text(repr(error))
    shutil.copy(server.log_path, folder / "uvicorn.log")
    item.add_report_section("call", "e2e artifacts", str(folder))


def pytest_configure(config):
    # Also declared in pyproject.toml; registered here too so that --strict-markers holds
    # whichever configuration runs these tests.
    if not any(line.startswith("e2e:") for line in config.getini("markers")):
        config.addinivalue_line("markers", "e2e: browser journeys in e2e/ (Playwright)")


def pytest_collection_modifyitems(config, items):
    """Every test of this folder is marked ``e2e`` (``-m "not e2e"`` leaves them out)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
