"""An assembly's decision on an idea, end to end: the vote on an agenda item that brings an
idea is closed, and the idea's PUBLIC page tells what the assembly decided, and when."""

import re

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from civic.proposals.lifecycle import Status
from tests.assemblies_factories import close, make_assembly, open_vote, present_member, vote
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def history_section(html):
    match = re.search(r'<section id="historique".*?</section>', html, re.S)
    assert match, "no history on the idea's page"
    return match.group(0)


def decide(manager, tilleuls, resident, idea, choice, **fields):
    """An assembly whose first item brings ``idea``; ``resident`` votes ``choice``."""
    assembly = make_assembly(
        manager,
        tilleuls,
        title="Assemblée de printemps",
        items=[{"title": "Les bancs", "proposal": idea}],
        **fields,
    )
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager, "Installe-t-on les bancs ?")
    vote(resident, motion, choice)
    return close(motion, manager)


def today_words():
    return date_format(timezone.localdate(), "j F Y")


@pytest.mark.parametrize(
    ("choice", "status", "label", "words"),
    [
        ("for", Status.ACCEPTED, "Retenue", "Retenue par l'assemblée"),
        ("against", Status.REJECTED, "Non retenue", "Non retenue par l'assemblée"),
    ],
)
def test_the_decision_moves_the_idea_and_shows_on_its_public_page(
    client, manager, tilleuls, resident, choice, status, label, words
):
    idea = ProposalFactory(author=resident, status=Status.PUBLISHED)
    decide(manager, tilleuls, resident, idea, choice)

    idea.refresh_from_db()
    assert idea.status == status
    response = client.get(f"/idees/{idea.pk}/")  # anonymous: the public page
    assert response.status_code == 200
    history = history_section(response.content.decode())
    assert f"<strong>{label}</strong>" in history
    assert f"{words} « Assemblée de printemps » du {today_words()}".replace("'", "&#x27;") in (
        history
    )
    figures = "Pour : 1, Contre : 0" if choice == "for" else "Pour : 0, Contre : 1"
    assert f"({figures}, Abstention : 0)" in history


def test_an_idea_under_study_is_decided_too(manager, tilleuls, resident):
    idea = ProposalFactory(author=resident, status=Status.UNDER_STUDY)
    decide(manager, tilleuls, resident, idea, "for")
    idea.refresh_from_db()
    assert idea.status == Status.ACCEPTED


def test_an_idea_already_in_progress_gets_a_history_line_only(client, manager, tilleuls, resident):
    idea = ProposalFactory(author=resident, status=Status.IN_PROGRESS)
    steps = idea.history.count()
    decide(manager, tilleuls, resident, idea, "for")

    idea.refresh_from_db()
    assert idea.status == Status.IN_PROGRESS
    assert idea.history.count() == steps + 1
    step = idea.history.order_by("-pk").first()
    assert step.from_status == step.to_status == Status.IN_PROGRESS
    history = history_section(client.get(f"/idees/{idea.pk}/").content.decode())
    # The step reads as the idea's (unchanged) status with the assembly's decision: no
    # "En cours → En cours".
    assert "<strong>Nouvelle étape</strong>" in history
    assert "→" not in history
    assert "Retenue par l&#x27;assemblée « Assemblée de printemps »" in history


def test_a_vote_without_quorum_records_nothing(manager, tilleuls, resident):
    idea = ProposalFactory(author=resident, status=Status.PUBLISHED)
    steps = idea.history.count()
    motion = decide(manager, tilleuls, resident, idea, "for", quorum_kind="count", quorum_value=5)

    assert motion.result["outcome"] == "no_quorum"
    idea.refresh_from_db()
    assert idea.status == Status.PUBLISHED
    assert idea.history.count() == steps


def test_an_idea_not_public_is_left_alone(manager, tilleuls, resident):
    idea = ProposalFactory(author=resident, status=Status.SUBMITTED)
    decide(manager, tilleuls, resident, idea, "for")
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    assert idea.history.count() == 0
