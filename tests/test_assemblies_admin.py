"""The "Assemblées" menu of the Wagtail admin: create and edit an assembly with its agenda,
voting rules and colleges; validation next to the fields; who may reach it."""

import html

import pytest
from django.test import Client
from django.utils import timezone

from civic.assemblies.models import Assembly, Participant
from tests.assemblies_factories import in_days, make_assembly, register_member

pytestmark = pytest.mark.django_db

INDEX = "/admin/assemblees/"
ADD = "/admin/assemblees/new/"


def edit_url(assembly):
    return f"/admin/assemblees/edit/{assembly.pk}/"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    return html.unescape(response.content.decode())


def formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data[f"{prefix}-{index}-ORDER"] = str(index + 1)
        data[f"{prefix}-{index}-DELETE"] = ""
        data[f"{prefix}-{index}-id"] = ""
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def assembly_data(neighbourhood, items=(), colleges=(), **overrides):
    data = {
        "neighbourhood": str(neighbourhood.pk),
        "title": "Assemblée de printemps",
        "starts_at": timezone.localtime(in_days(10)).strftime("%Y-%m-%d %H:%M"),
        "place": "Maison du quartier",
        "convocation": "Ordre du jour ci-dessous.",
        "is_published": "on",
        "quorum_kind": "share",
        "quorum_value": "20",
        "majority": "simple",
        **formset("items", [{"title": t, "description": "", "proposal": ""} for t in items]),
        **formset("colleges", [{"name": n, "weight": str(w)} for n, w in colleges]),
    }
    data.update(overrides)
    return data


def test_editor_creates_an_assembly_with_items_and_colleges(editor, tilleuls):
    client = login(editor)
    assert client.get(ADD).status_code == 200
    data = assembly_data(
        tilleuls,
        items=["Budget", "Jardin partagé"],
        colleges=[("Habitants", 2), ("Bailleurs", 1)],
        use_colleges="on",
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, text_of(response)[:3000]
    assembly = Assembly.objects.get()
    assert assembly.title == "Assemblée de printemps" and assembly.is_published
    assert assembly.quorum_kind == "share" and assembly.quorum_value == 20
    assert [i.title for i in assembly.items.order_by("sort_order")] == ["Budget", "Jardin partagé"]
    assert [(c.name, c.weight) for c in assembly.colleges.order_by("sort_order")] == [
        ("Habitants", 2),
        ("Bailleurs", 1),
    ]


def test_manager_lists_and_edits_with_links_to_live_pages(manager, tilleuls, resident):
    assembly = make_assembly(manager, tilleuls, items=["Budget"])
    register_member(assembly, resident)
    client = login(manager)
    listing = client.get(INDEX)
    assert listing.status_code == 200
    body = text_of(listing)
    assert "Assemblée des Tilleuls" in body and "Les Tilleuls" in body
    assert listing.context["object_list"][0].registered_count == 1
    filtered = client.get(INDEX, {"neighbourhood": tilleuls.pk})
    assert filtered.status_code == 200
    edit = text_of(client.get(edit_url(assembly)))
    for path in ("presidence/", "accueil/", "projecteur/"):
        assert f"/assemblees/{assembly.pk}/{path}" in edit


def test_validation_messages_next_to_fields(editor, tilleuls):
    client = login(editor)
    response = client.post(
        ADD, assembly_data(tilleuls, items=["Budget"], quorum_value="150", use_colleges="on")
    )
    assert response.status_code == 200
    body = text_of(response)
    assert "de 0 à 100 %" in body
    assert "au moins un collège" in body
    assert not Assembly.objects.exists()

    response = client.post(ADD, assembly_data(tilleuls, items=[""]))
    assert response.status_code == 200
    assert not Assembly.objects.exists()


def test_count_quorum_above_100_is_fine(editor, tilleuls):
    response = login(editor).post(
        ADD, assembly_data(tilleuls, quorum_kind="count", quorum_value="150")
    )
    assert response.status_code == 302
    assert Assembly.objects.get().quorum_value == 150


@pytest.mark.parametrize("persona", ["resident", "partner", "other_resident"])
def test_residents_and_partners_are_refused(request, persona, tilleuls, manager):
    user = request.getfixturevalue(persona)
    assembly = make_assembly(manager, tilleuls)
    client = login(user)
    for url in (INDEX, ADD, edit_url(assembly)):
        response = client.get(url)
        assert response.status_code in (302, 403), url
    client.post(ADD, assembly_data(tilleuls, title="Pirate"))
    client.post(edit_url(assembly), assembly_data(tilleuls, title="Pirate"))
    assert not Assembly.objects.filter(title="Pirate").exists()


def test_anonymous_is_sent_to_login(tilleuls):
    response = Client().get(INDEX)
    assert response.status_code == 302


def test_no_delete_view_and_no_ballot_in_admin(manager, tilleuls):
    assembly = make_assembly(manager, tilleuls)
    client = login(manager)
    assert client.get(f"/admin/assemblees/delete/{assembly.pk}/").status_code == 404
    assert Participant.objects.count() == 0
