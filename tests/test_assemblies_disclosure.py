"""A secret ballot stays secret in small groups (``results.disclose``): a table over college
sizes 1, 2, 3 and ties, then every door that shows a result — live state, projector, member
and chair pages, API, minutes — reads the same withheld record."""

import json

import pytest
from django.test import Client

from civic.assemblies import live, minutes, results, services
from tests.assemblies_factories import close, make_assembly, open_vote, present_member, vote
from tests.factories import UserFactory
from tests.test_assemblies_results import run

THRESHOLD = 3


def disclosed(spec, *, secret=True):
    result = run(spec, "simple")
    return results.disclose(
        result,
        secret=secret,
        weighted=isinstance(spec, dict),
        sizes=results.college_sizes(_ballots(spec)),
        threshold=THRESHOLD,
    )


def _ballots(spec):
    from tests.test_assemblies_results import ballots_from

    return ballots_from(spec, True)


@pytest.mark.parametrize(
    "spec, withheld",
    [
        # The lone bailleur: 1 vote worth 25 % would say how they voted.
        ({"H": "ffff", "BL": "c"}, results.SMALL_COLLEGE),
        ({"H": "ffc", "BL": "cf"}, results.SMALL_COLLEGE),  # a college of 2
        ({"H": "ffc", "BL": "cfc"}, None),  # every college has 3
        ({"H": "ffcc", "BL": "fcf", "CL": "c"}, results.SMALL_COLLEGE),  # one of three small
        ({"H": "fc", "BL": "f"}, results.SMALL_COLLEGE),  # 3 in all, colleges of 2 and 1
        ({"H": "f", "BL": "c"}, results.FEW_VOTERS),  # 2 in all
        ({"H": "ffc", "BL": "cfa"}, None),  # 3 each with an abstention
        ({"H": "fcfc", "BL": "cfc"}, None),  # a tie inside a college
        ({"H": "fc", "BL": "cf"}, results.SMALL_COLLEGE),  # a tie overall, colleges of 2
        ("fc", results.FEW_VOTERS),  # two voters, no colleges: each knows the other's
        ("f", results.FEW_VOTERS),
        ("fca", None),
        ("fffc", None),
    ],
)
def test_disclosure_table(spec, withheld):
    result = disclosed(spec)
    assert result["withheld"] == withheld
    figures = [(t["votes"], t["share"]) for t in result["tallies"]]
    if withheld:
        assert figures == [(None, None)] * 3 and result["expressed"] is None
        # The decision and the number of voters stay public.
        assert result["outcome"] in (results.ADOPTED, results.REJECTED)
        assert result["cast"] == len(_ballots(spec))
    else:
        assert all(votes is not None for votes, _share in figures)


def test_open_ballots_are_published_in_full():
    result = disclosed({"H": "ffff", "BL": "c"}, secret=False)
    assert result["withheld"] is None
    assert [t["votes"] for t in result["tallies"]] == [4, 1, 0]


def test_the_outcome_is_the_same_withheld_or_not():
    spec = {"H": "ffff", "BL": "c"}
    assert disclosed(spec)["outcome"] == run(spec, "simple")["outcome"]


# --- Every door ----------------------------------------------------------------------------


@pytest.fixture
def closed_secret_vote(manager, tilleuls):
    """Habitants (3) and one lone bailleur vote by secret ballot; the bailleur votes Contre."""
    assembly = make_assembly(
        manager, tilleuls, items=["Budget"], colleges=[("Habitants", 2), ("Bailleurs", 1)]
    )
    item = assembly.items.get()
    bailleurs = assembly.colleges.get(name="Bailleurs")
    habitants = [UserFactory(neighbourhood=tilleuls) for _ in range(3)]
    bailleur = UserFactory(neighbourhood=tilleuls)
    for user in habitants:
        present_member(assembly, user, manager)
    present_member(assembly, bailleur, manager, college=bailleurs)
    services.open_session(actor=manager, assembly=assembly)
    services.go_to_item(actor=manager, assembly=assembly, item=item)
    motion = open_vote(assembly, manager, is_secret=True, item=item)
    for user, which in zip(habitants, ["for", "for", "against"], strict=True):
        vote(user, motion, which)
    vote(bailleur, motion, "against")
    motion = close(motion, manager)
    return assembly, motion, habitants[0]


def test_the_record_holds_no_figure_per_option(closed_secret_vote):
    _assembly, motion, _member = closed_secret_vote
    assert motion.result["withheld"] == results.SMALL_COLLEGE
    assert motion.result["withheld_threshold"] == 3
    assert {(t["votes"], t["share"]) for t in motion.result["tallies"]} == {(None, None)}
    assert motion.result["cast"] == 4


def test_live_state_withholds(closed_secret_vote):
    assembly, _motion, _member = closed_secret_vote
    state = json.dumps(live.public_state(assembly.pk), default=str)
    assert '"withheld": "small_college"' in state
    assert '"share": null' in state and '"share": 3' not in state


@pytest.mark.parametrize("page", ["projecteur/", "seance/", "presidence/"])
def test_pages_say_what_was_withheld(closed_secret_vote, manager, page):
    assembly, _motion, member = closed_secret_vote
    client = Client()
    client.force_login(manager if page == "presidence/" else member)
    body = client.get(f"/assemblees/{assembly.pk}/{page}").content.decode()
    assert "n&#x27;est pas publié" in body or "n'est pas publié" in body
    assert "None voix" not in body and "(None %)" not in body


def test_api_withholds(closed_secret_vote, manager):
    assembly, _motion, _member = closed_secret_vote
    client = Client()
    client.force_login(manager)
    detail = client.get(f"/api/assemblies/{assembly.pk}/").json()
    text = json.dumps(detail)
    assert '"withheld": "small_college"' in text
    assert '"votes": 1' not in text and '"votes": 2' not in text


def test_minutes_say_what_was_withheld(closed_secret_vote):
    assembly, _motion, _member = closed_secret_vote
    body = minutes.render_body(assembly)
    assert "un collège compte moins de 3 votants" in body
    assert "voix" not in body.split("un collège compte")[0].rsplit("<li>", 1)[-1]
    assert "%" not in body.split("Vote secret pondéré")[1].split("</li>")[0].replace("(", "")


def test_the_ideas_history_withholds(manager, tilleuls):
    from tests.factories import ProposalFactory

    proposal = ProposalFactory(title="Des bancs au square")
    assembly = make_assembly(
        manager,
        tilleuls,
        items=[{"title": "Bancs", "proposal": proposal}],
        colleges=[("Habitants", 2), ("Bailleurs", 1)],
    )
    item = assembly.items.get()
    bailleur = UserFactory(neighbourhood=tilleuls)
    for user in [UserFactory(neighbourhood=tilleuls) for _ in range(3)]:
        present_member(assembly, user, manager)
    present_member(assembly, bailleur, manager, college=assembly.colleges.get(name="Bailleurs"))
    services.open_session(actor=manager, assembly=assembly)
    services.go_to_item(actor=manager, assembly=assembly, item=item)
    motion = open_vote(assembly, manager, is_secret=True, item=item)
    vote(bailleur, motion, "against")
    close(motion, manager)
    proposal.refresh_from_db()
    history = " ".join(str(step.answer) for step in proposal.history.all())
    assert "(vote secret)" in history and "None" not in history
