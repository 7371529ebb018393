"""The pieces every HTML door shares (civic.web): the refusal page, the page numbers, the
one-time form tokens."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from civic.web import (
    DONE_TOKENS_KEY,
    MAX_DONE_TOKENS,
    MAX_TOKEN_LENGTH,
    clamp_page,
    denied_as_page,
    done_url,
    forbidden_page,
    new_form_token,
    paginate,
    posted_form_token,
    remember_back,
    remember_done,
)

pytestmark = pytest.mark.django_db


def get(path="/idees/1/soutenir/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def text(response):
    return response.content.decode()


# --- The refusal page -------------------------------------------------------------------------


refused = denied_as_page(
    back_label="Revenir à l'idée", list_url="proposals:list", list_label="Voir toutes les idées"
)


def test_a_refusal_is_a_403_page_with_its_reason_and_both_links():
    @refused
    def view(request):
        remember_back(request, "/idees/1/")
        raise PermissionDenied("Les commentaires sont fermés sur cette idée.")

    response = view(get())
    assert response.status_code == 403
    page = text(response)
    assert "<h1>Action impossible</h1>" in page
    assert "Les commentaires sont fermés sur cette idée." in page
    assert '<a href="/idees/1/">Revenir à l&#x27;idée</a>' in page
    assert '<a href="/idees/">Voir toutes les idées</a>' in page


def test_a_refusal_before_the_object_is_known_has_no_back_link():
    @refused
    def view(request):
        raise PermissionDenied

    page = text(view(get()))
    assert "Vous ne pouvez pas faire cette action." in page
    assert "Revenir à" not in page
    assert '<a href="/idees/">Voir toutes les idées</a>' in page


def test_the_app_chooses_the_title_and_other_views_are_untouched():
    @denied_as_page(
        title="Accès refusé",
        back_label="Revenir",
        list_url="assemblies:list",
        list_label="Voir toutes les assemblées",
    )
    def view(request, pk):
        if pk == 2:
            raise PermissionDenied
        return HttpResponse(f"assemblée {pk}")

    assert view.__name__ == "view"
    assert text(view(get(), pk=1)) == "assemblée 1"
    refusal = view(get(), pk=2)
    assert refusal.status_code == 403
    assert "<h1>Accès refusé</h1>" in text(refusal)


def test_a_page_without_a_list_shows_only_the_way_back():
    response = forbidden_page(get(), "", back_url="/agenda/fete/", back_label="Revenir")
    assert response.status_code == 403
    page = text(response)
    assert '<li><a href="/agenda/fete/">Revenir</a></li>' in page
    assert "Voir tou" not in page


# --- Page numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("1.5", 1),
        ("1e400", 1),
        ("\x00", 1),
        ("-1", 1),
        ("0", 1),
        ("2", 2),
        ("3", 3),
        ("4", 3),
        ("9" * 5000, 3),
        (10**30, 3),
    ],
)
def test_any_page_number_becomes_a_page_that_exists(raw, expected):
    assert clamp_page(raw, 3) == expected


def test_paginate_gives_the_asked_page_of_a_list():
    items = list(range(45))
    assert list(paginate(RequestFactory().get("/", {"page": 2}), items, 20)) == items[20:40]
    assert paginate(RequestFactory().get("/", {"page": "-5"}), items, 20).number == 1
    assert paginate(RequestFactory().get("/", {"page": "99"}), items, 20).number == 3
    assert paginate(RequestFactory().get("/"), [], 20).number == 1


# --- One-time form tokens ---------------------------------------------------------------------


def post(data, session):
    request = RequestFactory().post("/idees/proposer/", data)
    request.session = session
    return request


def test_a_form_sent_twice_leads_where_the_first_one_did():
    session = {}
    token = new_form_token()
    assert len(token) >= 20 and token != new_form_token()
    first = post({"token": token}, session)
    assert done_url(first, posted_form_token(first)) is None
    remember_done(first, posted_form_token(first), "/idees/7/")
    again = post({"token": token}, session)
    assert done_url(again, posted_form_token(again)) == "/idees/7/"
    assert done_url(post({"token": new_form_token()}, session), new_form_token()) is None


def test_without_a_token_nothing_is_remembered():
    session = {}
    request = post({}, session)
    assert posted_form_token(request) == ""
    remember_done(request, "", "/idees/7/")
    assert session == {} and done_url(request, "") is None


def test_a_hostile_token_is_cut_and_the_session_keeps_only_the_last_ones():
    session = {}
    assert posted_form_token(post({"token": "x" * 10_000}, session)) == "x" * MAX_TOKEN_LENGTH
    request = post({}, session)
    for number in range(MAX_DONE_TOKENS + 5):
        remember_done(request, f"t{number}", f"/idees/{number}/")
    remembered = session[DONE_TOKENS_KEY]
    assert len(remembered) == MAX_DONE_TOKENS
    assert done_url(request, "t0") is None
    assert done_url(request, f"t{MAX_DONE_TOKENS + 4}") == f"/idees/{MAX_DONE_TOKENS + 4}/"
