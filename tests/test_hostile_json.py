"""Hostile JSON: deeply nested, oversized, malformed or NaN bodies sent to every API write
and every WebSocket route get the API's JSON 400 (or the socket's error / silence), never a
500 or a dead socket, and nothing is written. Runs on SQLite and on PostgreSQL + Redis.
"""

import json

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from civic import json_input
from tests.assemblies_factories import make_assembly, open_vote, present_member
from tests.factories import ProposalFactory, ShiftFactory

NESTED = "[" * 1500 + "]" * 1500  # 3 kB: exhausted Python's parser (RecursionError)
NESTED_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500
HOSTILE_BODIES = {
    "nested_array": (NESTED, "too_deep"),
    "nested_object": (NESTED_OBJECT, "too_deep"),
    "nested_in_a_field": ('{"body": ' + NESTED + "}", "too_deep"),
    "too_large": (json.dumps({"body": "x" * (json_input.MAX_BODY_BYTES + 10)}), "too_large"),
    "nan": ('{"body": NaN}', "malformed"),
    "unterminated": ('{"body": "' + "[" * 100, "malformed"),
    "not_utf8": (b'{"body": "\xff\xfe"}', "malformed"),
}


# --- The parser itself --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "code"), HOSTILE_BODIES.values(), ids=list(HOSTILE_BODIES))
def test_loads_refuses_with_a_code(text, code):
    with pytest.raises(json_input.JSONInputError) as refused:
        json_input.loads(text)
    assert refused.value.code == code


def test_loads_keeps_ordinary_json_and_brackets_inside_strings():
    text = json.dumps({"body": "[" * 5000 + '\\"{' * 100, "ids": [[1, [2]], {"a": None}]})
    assert json_input.loads(text) == json.loads(text)
    deep_enough = "[" * json_input.MAX_DEPTH + "]" * json_input.MAX_DEPTH
    assert json_input.loads(deep_enough) == json.loads(deep_enough)
    with pytest.raises(json_input.JSONInputError):
        json_input.loads("[" + deep_enough + "]")


def test_drf_uses_the_bounded_parser(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"][0] == "civic.json_input.JSONParser"


# --- Every API write --------------------------------------------------------------------------


@pytest.fixture
def writes(site_tree, resident, manager, tilleuls):
    """(method, url, who, model that must not get a row) for each JSON write of the API."""
    from civic.assemblies.models import Ballot
    from civic.proposals.models import Comment, Proposal, Report, StatusChange
    from civic.volunteering.models import Signup

    proposal = ProposalFactory(author=resident, neighbourhood=tilleuls)
    shift = ShiftFactory(action__neighbourhood=tilleuls)
    assembly = make_assembly(manager, tilleuls)
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    comment = proposal.comments.create(author=resident, body="Bonne idée")
    return [
        ("post", reverse("proposals_api:proposal-list"), resident, Proposal),
        ("post", reverse("proposals_api:comment-list", args=[proposal.pk]), resident, Comment),
        (
            "patch",
            reverse("proposals_api:comment-detail", args=[proposal.pk, comment.pk]),
            resident,
            None,
        ),
        ("post", reverse("proposals_api:proposal-report", args=[proposal.pk]), manager, Report),
        (
            "post",
            reverse("proposals_api:proposal-change-status", args=[proposal.pk]),
            manager,
            StatusChange,
        ),
        (
            "post",
            reverse("assemblies_api:vote", args=[assembly.pk, motion.pk]),
            resident,
            Ballot,
        ),
        ("put", reverse("volunteering_api:shift-signup", args=[shift.pk]), resident, Signup),
    ]


def test_hostile_json_bodies_are_a_json_400_and_write_nothing(client, writes):
    client.raise_request_exception = False  # a 500 shows as a status, not as a test error
    for method, url, user, model in writes:
        client.force_login(user)
        for label, (body, code) in HOSTILE_BODIES.items():
            before = model.objects.count() if model else None
            response = getattr(client, method)(url, body, content_type="application/json")
            assert response.status_code == 400, (method, url, label, response.status_code)
            assert response["Content-Type"].startswith("application/json")
            error = response.json()["error"]
            assert error["code"] == code, (url, label, error)
            assert error["message"] and error["details"] is None
            if model is not None:
                assert model.objects.count() == before, (url, label)


# --- Every WebSocket route --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", ["live", "idees", "agir", "assemblees"])
async def test_nested_socket_messages_leave_the_socket_answering(route, tilleuls):
    from tests.factories import ActionFactory, UserFactory
    from tests.test_ws_abuse import normal_client, still_answers

    @database_sync_to_async
    def world():
        from tests.assemblies_factories import make_chair

        chair = make_chair(neighbourhood=tilleuls)
        action = ActionFactory(neighbourhood=tilleuls)
        ShiftFactory(action=action)
        return {
            "amina": UserFactory(neighbourhood=tilleuls),
            "action": action,
            "ours": make_assembly(chair, tilleuls, title="Assemblée", items=["Budget"]),
        }

    socket = await normal_client(route, await world())
    for frame in (
        "[" * 1500 + "]" * 1500,
        '{"type": "ping", "pad": ' + "[" * 1000 + "]" * 1000 + "}",
        '{"type": "subscribe", "ids": ' + "[" * 600 + "]" * 600 + "}",
        '{"type": "vote", "motion": 1, "option": ' + '{"a":' * 500 + "1" + "}" * 500 + "}",
        '{"type": "ping", "x": NaN}',
    ):
        await socket.send_to(text_data=frame)
    if route in ("idees", "assemblees"):  # these answer a bad frame with their error event
        for _ in range(5):
            message = json.loads(await socket.receive_from(timeout=3))
            assert message["event"] == "error", message
            assert message["payload"]["code"] in {"bad_message", "too_large"}
    await still_answers(socket)
    await socket.disconnect()
