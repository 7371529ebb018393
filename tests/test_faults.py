"""Faults: the database unavailable, Redis stopped during a live assembly.

- The database: ``config.middleware.DatabaseUnavailableMiddleware`` answers a clear 503
  (HTML page, or the API's JSON error with code "unavailable") with Retry-After, whether
  the error comes from a view, a middleware (sessions) or a context processor; an upload
  whose transaction fails leaves no file behind. In process, and with a real server whose
  PostgreSQL port has nothing listening.
- Redis (PostgreSQL + Redis): a redis-server of our own on a spare port, stopped and
  restarted by PID under a real uvicorn server; votes and sign-ups acknowledged during the
  outage are in the database, and a client reconnecting afterwards gets them in its
  snapshot.
"""

import asyncio
import http.client
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from PIL import Image

from civic.proposals import services as proposal_services
from civic.proposals.models import Proposal
from tests.factories import ThemeFactory, UserFactory
from tests.live_server_helpers import UvicornServer, free_port, stable_port

TIMEOUT = 10


def broken(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def photo_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def files_under(root):
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


def assert_503_page(response):
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "Service momentanément indisponible" in response.content.decode()


# --- The database unavailable, in process -------------------------------------------------------


@pytest.mark.django_db
def test_a_view_failing_on_the_database_gets_the_503_page(site_tree, monkeypatch):
    monkeypatch.setattr("cms.views.search_everything", broken)
    response = Client(raise_request_exception=False).get("/recherche/", {"q": "banc"})
    assert_503_page(response)
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_the_api_gets_the_json_error_with_code_unavailable(monkeypatch):
    monkeypatch.setattr(
        "civic.proposals.api.ProposalViewSet.list", lambda self, request, *a, **k: broken()
    )
    response = Client(raise_request_exception=False).get("/api/proposals/")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response.json()["error"]["code"] == "unavailable"


@pytest.mark.django_db
def test_a_session_middleware_failure_gets_the_503_page(resident, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(resident)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", broken)
    assert_503_page(client.get("/idees/"))
    api = client.get("/api/proposals/")
    assert api.status_code == 503 and api.json()["error"]["code"] == "unavailable"


@pytest.mark.django_db
def test_a_context_processor_failure_gets_the_503_page(site_tree, monkeypatch):
    monkeypatch.setattr("cms.context_processors._sections", broken)
    assert_503_page(Client(raise_request_exception=False).get("/idees/"))


@pytest.mark.django_db
def test_redis_unreachable_gets_the_503_page_too(site_tree, monkeypatch):
    """The cache (navigation, API throttling) lives in Redis in production."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    def no_redis(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("cms.context_processors._sections", no_redis)
    assert_503_page(Client(raise_request_exception=False).get("/idees/"))


@pytest.mark.django_db
def test_other_errors_are_still_500(site_tree, monkeypatch):
    def fails(*args, **kwargs):
        raise RuntimeError("not the database")

    monkeypatch.setattr("cms.context_processors._sections", fails)
    response = Client(raise_request_exception=False).get("/idees/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_an_idea_with_a_photo_during_a_database_failure_leaves_no_file(
    resident, settings, tmp_path, monkeypatch
):
    """The photo is written at save(), before the INSERT: a failure after it (here while
    recording the first step) rolls the row back and the file must go too."""
    settings.MEDIA_ROOT = tmp_path
    theme = ThemeFactory()
    monkeypatch.setattr(proposal_services, "_record_step", broken)
    client = Client(raise_request_exception=False)
    client.force_login(resident)
    response = client.post(
        "/idees/proposer/",
        {
            "title": "Un banc sous le tilleul",
            "description": "Pour s'asseoir à l'ombre près de l'aire de jeux.",
            "theme": theme.pk,
            "neighbourhood": resident.neighbourhood_id,
            "photo": photo_upload(),
            "photo_alt": "Le tilleul de la place",
        },
    )
    assert_503_page(response)
    assert not Proposal.objects.exists()
    assert files_under(tmp_path) == []


@pytest.mark.django_db
def test_the_services_delete_the_file_of_a_failed_transaction(
    resident, manager, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    theme = ThemeFactory()
    monkeypatch.setattr(proposal_services, "_record_step", broken)
    with pytest.raises(OperationalError):
        proposal_services.submit_proposal(
            author=resident,
            title="Des bancs",
            description="Au square.",
            theme=theme,
            neighbourhood=resident.neighbourhood,
            photo=photo_upload(),
            photo_alt="Le square",
        )
    assert files_under(tmp_path) == []

    from civic.volunteering import services as volunteering_services

    monkeypatch.setattr(volunteering_services, "add_shift", broken)
    with pytest.raises(OperationalError):
        volunteering_services.create_action(
            actor=manager,
            title="Nettoyage",
            description="On ramasse.",
            neighbourhood=resident.neighbourhood,
            meeting_place="Place des Tilleuls",
            image=photo_upload(),
            image_alt="La place",
            shifts=[{"starts_at": None, "ends_at": None, "capacity": 1}],
        )
    assert files_under(tmp_path) == []


@pytest.mark.django_db
def test_a_successful_upload_keeps_its_file(resident, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    proposal = proposal_services.submit_proposal(
        author=resident,
        title="Des bancs",
        description="Au square.",
        theme=ThemeFactory(),
        neighbourhood=resident.neighbourhood,
        photo=photo_upload(),
        photo_alt="Le square",
    )
    assert [os.path.basename(path) for path in files_under(tmp_path)] == [
        os.path.basename(proposal.photo.name)
    ]


# --- The database unavailable, on a real server ------------------------------------------------


def http_request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return (
            response.status,
            {key.lower(): value for key, value in response.getheaders()},
            response.read().decode(),
        )
    finally:
        conn.close()


def test_a_real_server_without_its_database_answers_503(tmp_path):
    """PostgreSQL configured on a port where nothing listens (never the machine's own
    PostgreSQL: other people use it)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/nowhere",
        "DATABASE_POOL_SIZE": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    with UvicornServer(env={**env, "REDIS_URL": ""}, log_path=tmp_path / "nodb.log") as server:
        status, headers, body = http_request(server, "GET", "/idees/")
        assert status == 503, server.log
        assert headers.get("retry-after", "").isdigit()
        assert "Service momentanément indisponible" in body
        status, headers, body = http_request(server, "GET", "/api/proposals/")
        assert status == 503
        assert json.loads(body)["error"]["code"] == "unavailable"


# --- Redis stopped during a live assembly ------------------------------------------------------


class RedisServer:
    """A redis-server of this test only, on a spare port, ended by its PID."""

    def __init__(self, port, log_path):
        self.port, self.log_path, self.process = port, log_path, None

    def start(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603 (fixed command, no shell)
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + TIMEOUT
        import socket

        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)  # a crash, not a clean shutdown
            self.process.wait(timeout=10)
        self.process = None
        if getattr(self, "log", None):
            self.log.close()


def database_url():
    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "", safe="")
    if conf.get("PASSWORD"):
        credentials += ":" + quote(conf["PASSWORD"], safe="")
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(conf['NAME'], safe='')}"


@pytest.fixture
def redis_and_server(django_db_setup, tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    redis = RedisServer(stable_port(), tmp_path / "redis.log").start()
    env = {
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": database_url(),
        "DATABASE_POOL_SIZE": "4",
        "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
        "CHANNELS_PREFIX": f"qc-faults-{uuid.uuid4().hex[:8]}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONUNBUFFERED": "1",
    }
    try:
        with UvicornServer(env=env, log_path=tmp_path / "uvicorn.log") as server:
            yield redis, server
    finally:
        redis.stop()


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(server, path, cookie):
    from websockets.asyncio.client import connect

    return await connect(
        server.ws_url(path),
        origin=server.origin,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=TIMEOUT,
    )


async def receive(socket, predicate=lambda m: True):
    async with asyncio.timeout(TIMEOUT):
        while True:
            message = json.loads(await socket.recv())
            if predicate(message):
                return message


async def vote_on(socket, motion, option_id, request_id):
    await socket.send(
        json.dumps({"type": "vote", "motion": motion, "option": option_id, "id": request_id})
    )
    return await receive(
        socket,
        lambda m: m["event"] in ("ack", "error") and m["payload"].get("id") == request_id,
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
async def test_redis_stopped_during_a_vote_loses_no_acknowledged_vote(redis_and_server, tilleuls):
    from channels.db import database_sync_to_async

    from civic.assemblies.models import Ballot
    from tests.assemblies_factories import make_assembly, make_chair, open_vote, option
    from tests.assemblies_factories import present_member as present

    redis, server = redis_and_server

    def build():
        chair = make_chair(tilleuls)
        assembly = make_assembly(chair, tilleuls, items=["Budget"])
        amina, bilal = UserFactory(neighbourhood=tilleuls), UserFactory(neighbourhood=tilleuls)
        present(assembly, amina, chair)
        present(assembly, bilal, chair)
        motion = open_vote(assembly, chair)
        return (
            assembly,
            motion,
            option(motion, "for").pk,
            session_cookie(amina),
            session_cookie(bilal),
        )

    assembly, motion, for_id, amina, bilal = await database_sync_to_async(build)()
    path = f"/ws/assemblees/{assembly.pk}/"
    amina_socket = await open_socket(server, path, amina)
    await receive(amina_socket, lambda m: m["event"] == "assembly.snapshot")
    bilal_socket = await open_socket(server, path, bilal)
    await receive(bilal_socket, lambda m: m["event"] == "assembly.snapshot")

    answer = await vote_on(amina_socket, motion.pk, for_id, 1)
    assert answer["event"] == "ack", answer

    redis.stop()
    # During the outage: acknowledged (in the database) or a clear error, never silence.
    answer = await vote_on(bilal_socket, motion.pk, for_id, 2)
    bilal_acked = answer["event"] == "ack"

    # A new socket during the outage cannot join its group: closed cleanly, server up.
    try:
        during = await open_socket(server, path, amina)
        async with asyncio.timeout(TIMEOUT):
            await during.recv()
    except Exception:  # noqa: S110 (refused or closed: both fine, the server must live on)
        pass
    assert server.process.poll() is None, server.log

    redis.start()
    # Reconnect (the page's script does so on close): the snapshot comes from the database.
    again = await open_socket(server, path, amina)
    snapshot = await receive(again, lambda m: m["event"] == "assembly.snapshot")
    ballots = await database_sync_to_async(Ballot.objects.filter(motion=motion).count)()
    assert ballots == (2 if bilal_acked else 1), server.log
    text = json.dumps(snapshot["payload"])
    assert f'"votes_cast": {ballots}' in text or ballots == 1, text
    for socket in (amina_socket, bilal_socket, again):
        await socket.close()


def csrf_post(server, path, cookie, data):
    token = secrets.token_hex(16)
    body = urlencode({**data, "csrfmiddlewaretoken": token})
    return http_request(
        server,
        "POST",
        path,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={cookie}; csrftoken={token}",
            "Origin": server.origin,
        },
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
async def test_a_sign_up_during_a_redis_outage_is_kept(redis_and_server, tilleuls):
    from channels.db import database_sync_to_async

    from civic.volunteering.models import Signup
    from tests.factories import ActionFactory, ShiftFactory

    redis, server = redis_and_server

    def build():
        shift = ShiftFactory(action=ActionFactory(neighbourhood=tilleuls), capacity=3)
        volunteer = UserFactory(neighbourhood=tilleuls)
        return shift, volunteer, session_cookie(volunteer)

    shift, volunteer, cookie = await database_sync_to_async(build)()
    socket = await open_socket(server, f"/ws/agir/{shift.action_id}/", cookie)
    first = await receive(socket, lambda m: m["event"] == "shift.snapshot")

    redis.stop()
    status, _headers, body = await asyncio.to_thread(
        csrf_post, server, f"/agir/creneau/{shift.pk}/inscription/", cookie, {}
    )
    signed_up = await database_sync_to_async(
        Signup.objects.filter(shift=shift, user=volunteer).exists
    )()
    # Acknowledged (redirect) means kept; otherwise a clear error and nothing written.
    assert status < 500 or status == 503, (status, body[:300], server.log[-3000:])
    assert signed_up == (status in (302, 303)), (status, server.log[-3000:])
    assert server.process.poll() is None

    redis.start()
    try:
        again = await open_socket(server, f"/ws/agir/{shift.action_id}/", cookie)
    except Exception as error:
        raise AssertionError(
            f"no socket after Redis returned: {error}\n{server.log[-4000:]}"
        ) from error
    snapshot = await receive(again, lambda m: m["event"] == "shift.snapshot")
    state = snapshot["payload"]["shifts"][0]
    if signed_up:
        assert json.dumps(state) != json.dumps(first["payload"]["shifts"][0])
    for sock in (socket, again):
        await sock.close()
