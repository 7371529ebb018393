"""The pieces every HTML door shares (civic.web): the refusal page, the page numbers."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from civic.web import clamp_page, denied_as_page, forbidden_page, paginate, remember_back

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
