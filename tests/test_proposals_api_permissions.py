"""Who may do what through the proposals API: every persona × proposal state × action, with
the status code AND what the database holds afterwards (nothing at all on a refusal).

The expected codes are written out by hand below — not computed from ``rules`` — so that a
change of rule shows up here as a deliberate edit of the table.
"""

import pytest
from rest_framework.test import APIClient

from civic.proposals.lifecycle import Status
from civic.proposals.models import Comment, Follow, Proposal, Report, StatusChange, Support
from tests.factories import ProposalFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "author", "other_resident", "staff")
STATES = ("submitted", "published", "under_study", "refused", "withdrawn", "hidden")
ACTIONS = ("retrieve", "patch", "support_put", "support_delete", "comment_post", "status_post")

# fmt: off
# A row per state; columns in the order of ACTIONS:
#                 retrieve  patch  support PUT  support DELETE  comment POST  status POST
EXPECTED = {
    "anonymous": {
        "submitted":   (404,    403,   403,         403,            403,          403),
        "published":   (200,    403,   403,         403,            403,          403),
        "under_study": (200,    403,   403,         403,            403,          403),
        "refused":     (404,    403,   403,         403,            403,          403),
        "withdrawn":   (404,    403,   403,         403,            403,          403),
        "hidden":      (404,    403,   403,         403,            403,          403),
    },
    "author": {
        "submitted":   (200,    200,   403,         403,            403,          403),
        "published":   (200,    403,   200,         200,            201,          403),
        "under_study": (200,    403,   200,         200,            201,          403),
        "refused":     (200,    403,   403,         403,            403,          403),
        "withdrawn":   (200,    403,   403,         403,            403,          403),
        "hidden":      (200,    403,   403,         403,            403,          403),
    },
    "other_resident": {
        "submitted":   (404,    404,   404,         404,            404,          403),
        "published":   (200,    403,   200,         200,            201,          403),
        "under_study": (200,    403,   200,         200,            201,          403),
        "refused":     (404,    404,   404,         404,            404,          403),
        "withdrawn":   (404,    404,   404,         404,            404,          403),
        "hidden":      (404,    404,   404,         404,            404,          403),
    },
    # Staff's status POST asks for "accepted" (with an answer): the lifecycle allows it from
    # published and under study — hidden is published, hidden by moderation — only.
    "staff": {
        "submitted":   (200,    403,   403,         403,            403,          400),
        "published":   (200,    403,   200,         200,            201,          200),
        "under_study": (200,    403,   200,         200,            201,          200),
        "refused":     (200,    403,   403,         403,            403,          400),
        "withdrawn":   (200,    403,   403,         403,            403,          400),
        "hidden":      (200,    403,   403,         403,            403,          200),
    },
}
# fmt: on

STATE_FIELDS = {
    "submitted": {"status": Status.SUBMITTED, "published_at": None},
    "published": {"status": Status.PUBLISHED},
    "under_study": {"status": Status.UNDER_STUDY},
    "refused": {"status": Status.REFUSED, "published_at": None},
    "withdrawn": {"status": Status.WITHDRAWN, "published_at": None},
    "hidden": {"status": Status.PUBLISHED, "is_hidden": True, "hidden_reason": "Insultes"},
}

NEW_TITLE = "Titre modifié par l'API"


CASES = [
    pytest.param(persona, state, action, code, id=f"{persona}-{state}-{action}")
    for persona in PERSONAS
    for state in STATES
    for action, code in zip(ACTIONS, EXPECTED[persona][state], strict=True)
]


def request_for(client, action, proposal):
    base = f"/api/proposals/{proposal.pk}/"
    if action == "retrieve":
        return client.get(base)
    if action == "patch":
        return client.patch(base, {"title": NEW_TITLE}, format="json")
    if action == "support_put":
        return client.put(f"{base}support/")
    if action == "support_delete":
        return client.delete(f"{base}support/")
    if action == "comment_post":
        return client.post(f"{base}comments/", {"body": "Je suis pour."}, format="json")
    if action == "status_post":
        return client.post(
            f"{base}status/", {"to_status": "accepted", "answer": "C'est retenu."}, format="json"
        )
    raise AssertionError(action)


def snapshot(proposal):
    """Everything an action on this proposal could write."""
    row = Proposal.objects.filter(pk=proposal.pk).values().get()
    row.pop("updated_at")
    return {
        "proposal": row,
        "supports": set(Support.objects.values_list("proposal_id", "resident_id")),
        "follows": set(Follow.objects.values_list("proposal_id", "resident_id")),
        "comments": set(Comment.objects.values_list("pk", "proposal_id", "author_id", "body")),
        "history": set(StatusChange.objects.values_list("pk", "proposal_id", "to_status")),
        "reports": Report.objects.count(),
    }


@pytest.fixture
def world(resident, other_resident, manager):
    theme = ThemeFactory(slug="proprete", name="Propreté")
    bystander = UserFactory(display_name="Passant·e")
    personas = {
        "anonymous": None,
        "author": resident,
        "other_resident": other_resident,
        "staff": manager,
    }
    return theme, bystander, personas


@pytest.mark.parametrize(("persona", "state", "action", "expected"), CASES)
def test_permission_table(world, persona, state, action, expected):
    theme, bystander, personas = world
    user = personas[persona]
    author = personas["author"]
    proposal = ProposalFactory(
        author=author, theme=theme, title="Titre d'origine", **STATE_FIELDS[state]
    )
    # Data that must survive every request: someone else's support, follow and comment.
    Support.objects.create(proposal=proposal, resident=bystander)
    Follow.objects.create(proposal=proposal, resident=bystander)
    Comment.objects.create(proposal=proposal, author=bystander, body="Déjà là")
    if action == "support_delete" and user is not None:
        # So that a wrongly accepted withdrawal would show in the database.
        Support.objects.create(proposal=proposal, resident=user)

    client = APIClient()
    if user is not None:
        client.force_login(user)
    before = snapshot(proposal)

    response = request_for(client, action, proposal)

    assert response.status_code == expected, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    after = snapshot(proposal)
    if expected >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
        if expected == 403:
            code = "not_authenticated" if user is None else "permission_denied"
            assert body["error"]["code"] == code
        assert after == before, "a refused request wrote to the database"
        return

    expected_after = before
    if action == "patch":
        expected_after["proposal"]["title"] = NEW_TITLE
        assert response.json()["title"] == NEW_TITLE
    elif action == "support_put":
        expected_after["supports"].add((proposal.pk, user.pk))
        expected_after["follows"].add((proposal.pk, user.pk))
        assert response.json() == {"supported": True, "support_count": 2}
    elif action == "support_delete":
        expected_after["supports"].discard((proposal.pk, user.pk))
        assert response.json() == {"supported": False, "support_count": 1}
    elif action == "comment_post":
        new = Comment.objects.get(pk=response.json()["id"])
        assert (new.proposal_id, new.author_id, new.body) == (proposal.pk, user.pk, "Je suis pour.")
        expected_after["comments"].add((new.pk, proposal.pk, user.pk, "Je suis pour."))
    elif action == "status_post":
        proposal.refresh_from_db()
        assert proposal.status == Status.ACCEPTED
        assert response.json()["status"] == "accepted"
        expected_after["proposal"]["status"] = Status.ACCEPTED
        expected_after["proposal"]["last_answered_at"] = proposal.last_answered_at
        step = StatusChange.objects.get(proposal=proposal, to_status=Status.ACCEPTED)
        assert (step.actor_id, step.answer) == (user.pk, "C'est retenu.")
        expected_after["history"].add((step.pk, proposal.pk, Status.ACCEPTED))
    else:
        assert action == "retrieve"
        assert response.json()["id"] == proposal.pk
    assert after == expected_after


def test_the_table_covers_every_case():
    assert set(EXPECTED) == set(PERSONAS)
    for persona in PERSONAS:
        assert set(EXPECTED[persona]) == set(STATES)
        assert all(len(row) == len(ACTIONS) for row in EXPECTED[persona].values())


@pytest.mark.parametrize("state", STATES)
def test_not_allowed_and_missing_give_the_same_404(world, state):
    """Someone who may not see a proposal cannot tell it from one that does not exist."""
    theme, _bystander, personas = world
    proposal = ProposalFactory(author=personas["author"], theme=theme, **STATE_FIELDS[state])
    client = APIClient()
    client.force_login(personas["other_resident"])
    missing = client.patch("/api/proposals/999999/", {"title": "x"}, format="json")
    response = client.patch(f"/api/proposals/{proposal.pk}/", {"title": "x"}, format="json")
    if response.status_code == 404:
        assert response.json() == missing.json()
    else:
        assert response.status_code == 403
