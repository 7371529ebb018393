"""What a real client of /api/schema/ sees: the schema says exactly what the API sends.

- A client generated from the served schema by openapi-python-client lists and reads every
  public GET endpoint through the site's WSGI door, with the demo data, plus the cases that
  used to break clients: news of every quartier (``neighbourhood: null``), an action with
  and without its idea (``proposal``), shifts with and without the requester's sign-up
  (``my_signup``), the Régie's empty ``website``.
- Every response body of those endpoints is validated strictly against the schema
  (JSON Schema 2020-12, the dialect of OpenAPI 3.1): a null where the schema has no null,
  or a value matching both branches of a ``oneOf`` (``""`` for ``format: uri`` or
  ``maxLength: 0``), is an error.
"""

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from civic.assemblies.models import Assembly
from civic.proposals.models import Proposal
from civic.territory.models import Regie
from civic.volunteering import services as volunteering
from cms.models import NewsPage
from tests.factories import ActionFactory, ShiftFactory, UserFactory

BIN = Path(sys.executable).parent
CLIENT_PACKAGE = "quartier_commun_api_client"


def load_demo(tmp_path, settings):
    """The demo neighbourhood, and the shapes a client must read, whatever the demo holds."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())
    amina = UserFactory._meta.model.objects.get(email="amina@demo.quartier-commun.fr")
    manager = UserFactory._meta.model.objects.get(email="direction@demo.quartier-commun.fr")
    news_for_all = NewsPage.objects.live().filter(neighbourhood__isnull=True).first()
    assert news_for_all is not None, "the demo has news for every quartier"
    assert Regie.objects.get().website == ""
    idea = next(proposal for proposal in Proposal.objects.all() if proposal.is_public)
    with_idea = ActionFactory(neighbourhood=amina.neighbourhood, proposal=idea, is_published=True)
    without_idea = ActionFactory(neighbourhood=amina.neighbourhood, is_published=True)
    # At an hour no demo shift takes (a sign-up may not overlap Amina's demo ones).
    starts = timezone.localtime().replace(hour=6, minute=0, second=0, microsecond=0)
    starts += timedelta(days=40)
    mine = ShiftFactory(action=with_idea, starts_at=starts, ends_at=starts + timedelta(hours=1))
    later = mine.starts_at + timedelta(days=1)
    ShiftFactory(action=with_idea, starts_at=later, ends_at=later + timedelta(hours=2))
    ShiftFactory(action=without_idea)
    volunteering.sign_up(shift=mine, actor=amina, join_waitlist=True)
    assembly = Assembly.objects.filter(is_published=True).first()
    assert assembly is not None
    commented = Proposal.objects.filter(comments__isnull=False).distinct().first() or idea
    path_params = {
        "news_retrieve": [{"id": news_for_all.pk}],
        "neighbourhoods_retrieve": [{"slug": amina.neighbourhood.slug}],
        "volunteering_actions_retrieve": [{"id": with_idea.pk}, {"id": without_idea.pk}],
        "proposals_retrieve": [{"id": idea.pk}],
        "proposals_comments_list": [{"proposal_id": commented.pk}],
        "assemblies_retrieve": [{"id": assembly.pk}],
        "assemblies_live_retrieve": [{"id": assembly.pk}],
        "assemblies_participants_list": [{"id": assembly.pk}],
    }
    return amina, manager, path_params


def signed_in_cookies(user):
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


# Régie staff only; every other GET endpoint is read as a resident.
STAFF_ONLY = {"assemblies_participants_list"}


def get_operations(package):
    """Every GET operation of the generated client: {module name: module}."""
    api = importlib.import_module(f"{package}.api")
    operations = {}
    for info in pkgutil.walk_packages(api.__path__, f"{package}.api."):
        if info.ispkg:
            continue
        # Read before importing: only GET modules are imported (the generator's module for
        # a request body offered as JSON and as a form does not import, a known limitation).
        source = Path(info.module_finder.path, info.name.rsplit(".", 1)[1] + ".py").read_text()
        if '"method": "get"' in source:
            operations[info.name.rsplit(".", 1)[1]] = importlib.import_module(info.name)
    return operations


def generate_client(schema_text, directory):
    schema_path = directory / "schema.yaml"
    schema_path.write_text(schema_text)
    result = subprocess.run(  # noqa: S603 (fixed command of the virtualenv, no shell)
        [str(BIN / "openapi-python-client"), "generate", "--path", str(schema_path)]
        + ["--meta", "none", "--output-path", str(directory / CLIENT_PACKAGE)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Every schema was understood: nothing left out of the client.
    assert "Unable to" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert "Could not find reference" not in result.stdout + result.stderr
    sys.path.insert(0, str(directory))
    return importlib.import_module(CLIENT_PACKAGE)


@pytest.fixture
def generated_client(tmp_path):
    yield lambda schema_text: generate_client(schema_text, tmp_path)
    sys.path[:] = [entry for entry in sys.path if entry != str(tmp_path)]
    for name in [name for name in sys.modules if name.split(".")[0] == CLIENT_PACKAGE]:
        del sys.modules[name]


def site_transport():
    """The whole site behind its WSGI door, in this thread: the client speaks real HTTP
    semantics (headers, cookies, status codes) to the test's own database transaction,
    which keeps what the data migrations installed (a live server would need a flushed,
    committed database)."""
    import httpx
    from django.core.handlers.wsgi import WSGIHandler

    return httpx.WSGITransport(app=WSGIHandler())


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: a request must not close the connection that holds
    the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_generated_client_reads_every_public_endpoint(
    tmp_path, settings, generated_client, keep_test_connection
):
    amina, manager, path_params = load_demo(tmp_path, settings)
    import httpx

    base_url = "http://testserver"
    schema_text = httpx.Client(transport=site_transport()).get(f"{base_url}/api/schema/").text
    package = generated_client(schema_text)
    operations = get_operations(CLIENT_PACKAGE)
    listed = {name for name, module in operations.items() if _needs_path(module)}
    assert listed == set(path_params), "every GET endpoint with a path parameter is read"
    assert len(operations) >= 14

    clients = {}
    for who, user in (("resident", amina), ("staff", manager)):
        clients[who] = package.AuthenticatedClient(base_url=base_url, token="session")
        clients[who].set_httpx_client(
            httpx.Client(
                base_url=base_url,
                transport=site_transport(),
                cookies=signed_in_cookies(user),
                headers={"Authorization": "Bearer session"},
            )
        )
    seen = {}
    for name, module in sorted(operations.items()):
        client = clients["staff" if name in STAFF_ONLY else "resident"]
        for kwargs in path_params.get(name, [{}]):
            response = module.sync_detailed(client=client, **kwargs)
            assert response.status_code == 200, (name, kwargs, response.content[:300])
            parsed = response.parsed
            assert parsed is not None, (name, kwargs)
            assert type(parsed).__name__ != "Error", (name, kwargs)
            seen.setdefault(name, []).append(parsed)

    news = seen["news_list"][0].results
    assert any(item.neighbourhood is None for item in news)
    assert any(item.neighbourhood is not None for item in news)
    assert seen["news_retrieve"][0].neighbourhood is None
    with_idea, without_idea = seen["volunteering_actions_retrieve"]
    assert with_idea.proposal is not None and without_idea.proposal is None
    assert {shift.my_signup is None for shift in with_idea.shifts} == {True, False}
    regies = {item.regie.website for item in seen["neighbourhoods_list"][0].results}
    assert regies == {""}


def _needs_path(module):
    parameters = inspect.signature(module.sync_detailed).parameters.values()
    return any(parameter.kind is parameter.POSITIONAL_OR_KEYWORD for parameter in parameters)


# --- Strict validation of every response body -------------------------------------------


def response_schema(spec, path, status="200"):
    content = spec["paths"][path]["get"]["responses"][status]["content"]
    return {**content["application/json"]["schema"], "components": spec["components"]}


def strict_errors(spec, path, body):
    """Every way the body breaks the schema (no format assertion, as JSON Schema by
    default: "" then matches ``format: uri``, so a ``oneOf`` of it and ``maxLength: 0``
    fails with both branches matched)."""
    validator = jsonschema.Draft202012Validator(response_schema(spec, path))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
    ]


def fill(path, params):
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    return path


@pytest.mark.django_db
def test_every_public_get_response_validates_strictly(tmp_path, settings, client):
    amina, manager, path_params = load_demo(tmp_path, settings)
    spec = yaml.safe_load(client.get("/api/schema/").content)
    assert spec["openapi"].startswith("3.1")
    by_path = {
        "/api/news/{id}/": "news_retrieve",
        "/api/neighbourhoods/{slug}/": "neighbourhoods_retrieve",
        "/api/volunteering/actions/{id}/": "volunteering_actions_retrieve",
        "/api/proposals/{id}/": "proposals_retrieve",
        "/api/proposals/{proposal_id}/comments/": "proposals_comments_list",
        "/api/assemblies/{id}/": "assemblies_retrieve",
        "/api/assemblies/{id}/live/": "assemblies_live_retrieve",
        "/api/assemblies/{id}/participants/": "assemblies_participants_list",
    }
    get_paths = [path for path, operations in spec["paths"].items() if "get" in operations]
    assert {path for path in get_paths if "{" in path} == set(by_path)
    resident, staff = Client(), Client()
    resident.force_login(amina)
    staff.force_login(manager)
    failures = []
    checked = 0
    for path in get_paths:
        name = by_path.get(path)
        caller = staff if name in STAFF_ONLY else resident
        for params in path_params.get(name, [{}]):
            for who in (caller, Client()):  # signed in, then anonymous
                response = who.get(fill(path, params))
                if response.status_code != 200:
                    continue  # refusals are the schemathesis test's business
                checked += 1
                failures += [
                    f"{path} {params}: {error}"
                    for error in strict_errors(spec, path, response.json())
                ]
    assert checked >= 20
    assert not failures, "\n".join(failures)


def test_strict_validation_refuses_both_branches_of_a_one_of():
    """The check above would catch the Régie's "" website under ``oneOf``."""
    spec = {
        "paths": {
            "/x/": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "oneOf": [
                                            {"type": "string", "format": "uri"},
                                            {"type": "string", "maxLength": 0},
                                        ]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
        "components": {},
    }
    assert strict_errors(spec, "/x/", "")
    assert not strict_errors(spec, "/x/", "https://example.org/")
