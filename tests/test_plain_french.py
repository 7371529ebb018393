"""Plain French on the resident's pages: the necessary terms explained in one line where
they appear, weighted results say how they were weighted, waitlists explained."""

import html as htmllib

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.assemblies_factories import (
    close,
    make_assembly,
    open_vote,
    present_member,
    resident_of,
    vote,
)
from tests.factories import ShiftFactory

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"


def text_of(response):
    return htmllib.unescape(response.content.decode())


def test_assembly_page_explains_quorum_procuration_and_colleges(manager, tilleuls):
    assembly = make_assembly(manager, tilleuls, colleges=[("Habitants", 2), ("Bailleurs", 1)])
    body = text_of(Client().get(f"/assemblees/{assembly.pk}/"))
    assert "le nombre minimum de membres présents ou représentés" in body
    assert "un autre membre inscrit vote à votre place" in body
    assert "Chaque collège a un poids fixe dans les votes" in body


def test_without_colleges_the_college_line_is_not_shown(manager, tilleuls):
    assembly = make_assembly(manager, tilleuls)
    body = text_of(Client().get(f"/assemblees/{assembly.pk}/"))
    assert "un autre membre inscrit vote à votre place" in body
    assert "Chaque collège a un poids" not in body


def test_weighted_result_says_it_is_weighted_and_how(manager, tilleuls):
    assembly = make_assembly(manager, tilleuls, colleges=[("Habitants", 2), ("Bailleurs", 1)])
    habitants = assembly.colleges.get(name="Habitants")
    voter = resident_of(assembly, display_name="Amina B.")
    present_member(assembly, voter, manager, college=habitants)
    motion = open_vote(assembly, manager)
    vote(voter, motion, "for")
    close(motion, manager)
    body = text_of(Client().get(f"/assemblees/{assembly.pk}/"))
    assert f"Résultat pondéré{NNBSP}: chaque collège compte pour son poids" in body
    assert f"Habitants{NNBSP}: 2 voix" in body or "Habitants : 2 voix" in body


def test_weighted_result_template_names_the_weights():
    result = {"weighted": True, "tallies": [], "cast": 1, "expressed": 1, "quorum": {}}
    html = render_to_string(
        "assemblies/includes/result.html",
        {"result": result, "college_weights": "Habitants : 2 voix, Bailleurs : 1 voix"},
    )
    assert "(Habitants : 2 voix, Bailleurs : 1 voix)" in html
    assert "1 personne a voté." in html


def test_shift_page_explains_the_waitlist():
    shift = ShiftFactory()
    body = text_of(Client().get(shift.action.get_absolute_url()))
    assert "elle revient à la première personne de la liste" in body


def test_account_pages_speak_in_the_products_own_words(resident):
    login_page = text_of(Client().get("/comptes/login/"))
    assert f"Pas encore de compte{NNBSP}?" in login_page
    assert "au préalable" not in login_page
    signup_page = text_of(Client().get("/comptes/signup/"))
    assert f"Vous avez déjà un compte{NNBSP}?" in signup_page
    client = Client()
    client.force_login(resident)
    response = client.post("/comptes/logout/", follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"Vous avez quitté votre compte. À bientôt{NNBSP}!"]
