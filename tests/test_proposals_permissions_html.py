"""Who may do what on the idea pages: actions × personas × states, through the HTML views.

Each row checks the response AND the database: an allowed action leaves its mark, a
refused one (login, 403, 404, form error) writes nothing at all.

Outcomes:
- ``ok``: done, then redirected back to the idea;
- ``200``: page shown (for ``moderate``: the form shown again with an error, nothing done);
- ``403``: the "action impossible" page; ``404``: the same page as a missing idea;
- ``login``: redirected to the login page.
"""

import re

import pytest
from django.test import Client

from civic.proposals.lifecycle import Status
from civic.proposals.models import (
    Comment,
    Follow,
    Notification,
    Proposal,
    Report,
    StatusChange,
    Support,
)
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

STATES = ("submitted", "published", "under_study", "refused", "withdrawn", "hidden")
PERSONAS = ("anonymous", "author", "other", "staff")

# One column per state, in the order of STATES.
EXPECTED = {
    "view": {
        "anonymous": "404 200 200 404 404 404",
        "author": "200 200 200 200 200 200",
        "other": "404 200 200 404 404 404",
        "staff": "200 200 200 200 200 200",
    },
    "edit": {
        "anonymous": "login login login login login login",
        "author": "ok 403 403 403 403 403",
        "other": "404 403 403 404 404 404",
        "staff": "403 403 403 403 403 403",
    },
    "withdraw": {
        "anonymous": "login login login login login login",
        "author": "ok ok 403 403 403 ok",
        "other": "404 403 403 404 404 404",
        "staff": "403 403 403 403 403 403",
    },
    "support": {
        "anonymous": "login login login login login login",
        "author": "403 ok ok 403 403 403",
        "other": "404 ok ok 404 404 404",
        "staff": "403 ok ok 403 403 403",
    },
    "comment": {
        "anonymous": "login login login login login login",
        "author": "403 ok ok 403 403 403",
        "other": "404 ok ok 404 404 404",
        "staff": "403 ok ok 403 403 403",
    },
    "moderate": {
        "anonymous": "login login login login login login",
        "author": "403 403 403 403 403 403",
        "other": "404 403 403 404 404 404",
        "staff": "ok ok ok 200 200 ok",
    },
}

# What staff try to move each state to (refused and withdrawn have no way out).
MODERATION_TARGET = {
    "submitted": Status.PUBLISHED,
    "published": Status.UNDER_STUDY,
    "under_study": Status.ACCEPTED,
    "refused": Status.PUBLISHED,
    "withdrawn": Status.PUBLISHED,
    "hidden": Status.UNDER_STUDY,
}


def table(actions):
    return [
        pytest.param(action, persona, state, outcome, id=f"{action}-{persona}-{state}")
        for action in actions
        for persona in PERSONAS
        for state, outcome in zip(STATES, EXPECTED[action][persona].split(), strict=True)
    ]


@pytest.fixture
def people(resident, other_resident, manager):
    return {"anonymous": None, "author": resident, "other": other_resident, "staff": manager}


def make_proposal(state, author):
    if state == "hidden":
        return ProposalFactory(author=author, status=Status.PUBLISHED, is_hidden=True)
    return ProposalFactory(author=author, status=state)


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def snapshot(proposal):
    """Everything an action on the idea could write."""
    row = Proposal.objects.values(
        "title", "status", "is_hidden", "support_open", "last_answered_at"
    ).get(pk=proposal.pk)
    counts = {
        model.__name__: model.objects.count()
        for model in (Support, Comment, Follow, Report, StatusChange, Notification)
    }
    return row, counts


def request(action, client, proposal, state):
    base = f"/idees/{proposal.pk}/"
    if action == "view":
        return client.get(base)
    if action == "edit":
        return client.post(
            f"{base}modifier/",
            {
                "title": "Titre modifié",
                "description": proposal.description,
                "theme": proposal.theme_id,
                "neighbourhood": proposal.neighbourhood_id,
            },
        )
    if action == "withdraw":
        return client.post(f"{base}retirer/")
    if action == "support":
        return client.post(f"{base}soutenir/")
    if action == "comment":
        return client.post(f"{base}commenter/", {"comment-body": "Je suis d'accord."})
    if action == "moderate":
        return client.post(
            f"{base}moderation/etat/",
            {
                "moderation-to_status": MODERATION_TARGET[state],
                "moderation-answer": "Réponse de la Régie.",
            },
        )
    raise AssertionError(action)


def assert_effect(action, proposal, user, state):
    proposal.refresh_from_db()
    if action == "edit":
        assert proposal.title == "Titre modifié"
    elif action == "withdraw":
        assert proposal.status == Status.WITHDRAWN
        assert proposal.history.filter(to_status=Status.WITHDRAWN).count() == 1
    elif action == "support":
        assert Support.objects.filter(proposal=proposal, resident=user).count() == 1
    elif action == "comment":
        assert Comment.objects.filter(proposal=proposal, author=user).count() == 1
    elif action == "moderate":
        assert proposal.status == MODERATION_TARGET[state]
        assert proposal.history.filter(actor=user, to_status=proposal.status).count() == 1
    else:
        raise AssertionError(action)


@pytest.mark.parametrize("action, persona, state, outcome", table(EXPECTED))
def test_permission_table(people, action, persona, state, outcome):
    user = people[persona]
    proposal = make_proposal(state, people["author"])
    before = snapshot(proposal)

    response = request(action, client_for(user), proposal, state)

    if outcome == "ok":
        assert response.status_code == 302, response.content[:300]
        assert response["Location"].startswith(f"/idees/{proposal.pk}/")
        assert_effect(action, proposal, user, state)
        return
    if outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/login/?next=")
    else:
        assert response.status_code == int(outcome)
        if outcome == "403":
            assert "Action impossible" in response.content.decode()
    assert snapshot(proposal) == before, "a refused action wrote to the database"


def test_not_found_is_the_same_for_missing_and_not_allowed(other_resident, resident):
    hidden = ProposalFactory(author=resident, status=Status.SUBMITTED)
    client = client_for(other_resident)
    not_allowed = client.get(f"/idees/{hidden.pk}/")
    missing = client.get("/idees/999999/")
    assert not_allowed.status_code == missing.status_code == 404

    # Same page, but for the address itself (the language switch sends it back) and the
    # per-response CSRF mask.
    def normalised(response, path):
        text = response.content.decode().replace(path, "/idees/X/")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert normalised(not_allowed, f"/idees/{hidden.pk}/") == normalised(missing, "/idees/999999/")


# The pages behind the edit and withdraw links: shown only to those who may act.
FORM_PAGES = {"edit": "modifier", "withdraw": "retirer"}


@pytest.mark.parametrize("action, persona, state, outcome", table(FORM_PAGES))
def test_form_pages_table(people, action, persona, state, outcome):
    proposal = make_proposal(state, people["author"])
    before = snapshot(proposal)
    response = client_for(people[persona]).get(f"/idees/{proposal.pk}/{FORM_PAGES[action]}/")
    if outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/login/?next=")
    else:
        assert response.status_code == (200 if outcome == "ok" else int(outcome))
    assert snapshot(proposal) == before


@pytest.mark.parametrize(
    "persona, state, links",
    [
        ("author", "submitted", {"modifier", "retirer"}),
        ("author", "published", {"retirer"}),
        ("author", "under_study", set()),
        ("other", "published", set()),
        ("staff", "submitted", set()),
    ],
)
def test_detail_offers_only_the_allowed_author_links(people, persona, state, links):
    proposal = make_proposal(state, people["author"])
    page = client_for(people[persona]).get(f"/idees/{proposal.pk}/").content.decode()
    for name in ("modifier", "retirer"):
        assert (f'href="/idees/{proposal.pk}/{name}/"' in page) == (name in links), name
    assert ("Réponse de la Régie" in page) == (persona == "staff")
