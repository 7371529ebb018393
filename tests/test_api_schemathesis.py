"""The API against its own OpenAPI schema (/api/schema/), with schemathesis, in process.

Every operation of the schema is called with generated data (valid and invalid) as two
signed-in identities, a resident and a Régie staff member, over the WSGI application, and
each response is checked: never a server error, a status code, content type and body that
the schema documents. Bounded: a few examples per operation (the whole module < 60 s).
"""

import secrets

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from config.wsgi import application
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 3
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """schemathesis calls the WSGI app without Django's test client, so request_started
    and request_finished would close the connection the test's transaction lives on (on PostgreSQL): detach
    close_old_connections, as django.test.Client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def some_data(resident, tilleuls):
    """A few rows, so that list and detail operations have something to show."""
    ProposalFactory(author=resident)
    ShiftFactory(action=ActionFactory(neighbourhood=tilleuls))


def signed_in(user):
    """Session cookie and CSRF token of a signed-in person."""
    client = Client()
    client.force_login(user)
    token = secrets.token_hex(16)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        # Uncompressed: schemathesis reads WSGI bodies as sent, and HTML and JSON above
        # 200 bytes are gzipped for clients that accept it (GZipMiddleware).
        "headers": {"X-CSRFToken": token, "Accept-Encoding": "identity"},
    }


@pytest.fixture
def identities(some_data, resident, manager):
    """A resident and a Régie staff member (the lazy schema takes no parametrised
    fixture: each generated case is sent as both)."""
    return {"resident": signed_in(resident), "staff": signed_in(manager)}


def test_api_conforms_to_its_schema(identities):
    """Each operation, valid and invalid data, as each identity. (The schemathesis pytest
    plugin does not run under pytest 9 yet: the Python API drives Hypothesis directly.)"""
    api_schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 10
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                for identity in identities.values():
                    response = case.call(headers=identity["headers"], cookies=identity["cookies"])
                    case.validate_response(response, checks=CHECKS)

            try:
                check()
            except Exception as error:  # collect them all, then fail once
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)


NESTED_BODY = "[" * 1500 + "]" * 1500  # 3 kB; exhausted Python's JSON parser (a 500)


def test_every_json_operation_refuses_a_nested_body(client, some_data, resident):
    """Each operation of the schema that takes JSON, sent a deeply nested body: the API's
    JSON error, never a server error (400 ``too_deep`` once the body is read)."""
    import re

    from civic.proposals.models import Proposal
    from civic.volunteering.models import Shift

    proposal = Proposal.objects.first()
    ids = {"id": proposal.pk, "proposal_id": proposal.pk, "shift_id": Shift.objects.first().pk}
    client.force_login(resident)
    client.raise_request_exception = False
    api_schema = client.get("/api/schema/", {"format": "json"}).json()
    refused = []
    for path, methods in api_schema["paths"].items():
        for method, operation in methods.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" not in content:
                continue
            url = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
            response = getattr(client, method)(url, NESTED_BODY, content_type="application/json")
            assert response.status_code < 500, (method, path, response.status_code)
            assert response["Content-Type"].startswith("application/json"), (method, path)
            if response.status_code == 400:
                assert response.json()["error"]["code"] == "too_deep", (method, path)
                refused.append(path)
    assert len(refused) >= 3, refused
