"""A weighted result pushed live says how it was counted, in the same words as the page:
the sentence travels in the live state, translated on the server (the script adds no word)."""

import html as htmllib

import pytest
from django.test import Client

from civic.assemblies import live
from tests.assemblies_factories import close, make_assembly, open_vote, present_member, resident_of
from tests.assemblies_factories import vote as cast

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"


def closed_vote(manager, tilleuls, colleges=()):
    assembly = make_assembly(manager, tilleuls, items=["Budget"], colleges=colleges)
    college = assembly.colleges.first() if colleges else None
    voter = resident_of(assembly, display_name="Amina B.")
    present_member(assembly, voter, manager, college=college)
    motion = open_vote(assembly, manager)
    cast(voter, motion, "for")
    close(motion, manager)
    return assembly


def test_weighted_result_in_the_live_state_names_each_college_weight(manager, tilleuls):
    assembly = closed_vote(manager, tilleuls, colleges=[("Habitants", 2), ("Bailleurs", 1)])
    motion = live.public_state(assembly.pk)["motion"]
    assert motion["status"] == "closed" and motion["result"]["weighted"]
    assert motion["result_note"] == (
        f"Résultat pondéré{NNBSP}: chaque collège compte pour son poids "
        "(Habitants : 2 voix, Bailleurs : 1 voix), partagé entre ses votants selon leurs choix."
    )


def test_the_live_sentence_is_the_one_the_session_page_shows(manager, tilleuls):
    assembly = closed_vote(manager, tilleuls, colleges=[("Habitants", 2), ("Bailleurs", 1)])
    note = live.public_state(assembly.pk)["motion"]["result_note"]
    client = Client()
    client.force_login(manager)
    for page in ("seance", "projecteur"):
        response = client.get(f"/assemblees/{assembly.pk}/{page}/")
        assert response.status_code == 200
        assert note in htmllib.unescape(response.content.decode()), page


def test_an_unweighted_result_carries_no_sentence(manager, tilleuls):
    assembly = closed_vote(manager, tilleuls)
    motion = live.public_state(assembly.pk)["motion"]
    assert motion["status"] == "closed" and not motion["result"]["weighted"]
    assert motion["result_note"] == ""


def test_an_open_vote_carries_no_sentence(manager, tilleuls):
    assembly = make_assembly(manager, tilleuls, colleges=[("Habitants", 2)])
    open_vote(assembly, manager)
    assert live.public_state(assembly.pk)["motion"]["result_note"] == ""
