"""Maps: the idea form's point, the ideas map (same filters, no hidden idea), maps on the
pages of actions, events and assemblies, quartier outlines, and the CSP of map pages."""

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from civic import places
from civic.proposals.lifecycle import Status
from civic.proposals.models import Proposal
from tests.agenda_factories import make_event
from tests.assemblies_factories import make_assembly
from tests.factories import ActionFactory, ProposalFactory, ThemeFactory, UserFactory
from tests.test_security_csp import assert_strict, directives

SUBMIT_URL = reverse("proposals:submit")
MAP_URL = reverse("proposals:map")
LEAFLET = "vendor/leaflet/leaflet"

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[1.44, 43.60], [1.45, 43.60], [1.45, 43.61], [1.44, 43.61], [1.44, 43.60]]],
}


@pytest.fixture
def theme():
    return ThemeFactory(slug="proprete", name="Propreté")


def login(user):
    client = Client()
    client.force_login(user)
    return client


def payload_of(response, data_id="carte-donnees"):
    markup = response.content.decode()
    match = re.search(rf'<script id="{data_id}" type="application/json">(.*?)</script>', markup)
    assert match, f"no map data {data_id}"
    return json.loads(match.group(1))


def form_data(resident, theme, **overrides):
    data = {
        "title": "Un banc près de l'aire de jeux",
        "description": "Les parents restent debout.",
        "theme": theme.pk,
        "neighbourhood": resident.neighbourhood_id,
        "address": "",
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return data


# --- The idea form ----------------------------------------------------------------------------


def test_the_form_has_a_map_and_no_coordinate_to_type(resident, theme):
    page = login(resident).get(SUBMIT_URL).content.decode()
    assert re.search(r'<input type="hidden" name="latitude"[^>]*id="id_latitude"', page)
    assert re.search(r'<input type="hidden" name="longitude"[^>]*id="id_longitude"', page)
    assert "Latitude (facultatif)" not in page
    assert 'data-map-picker="carte-lieu-donnees"' in page
    assert f'data-geocoder="{reverse("proposals:geocode")}"' in page
    assert "Utiliser ma position" in page
    assert LEAFLET in page and "js/map.js" in page
    # Without JavaScript the picker stays hidden; the address in words is there.
    assert re.search(r'<div class="map-picker"[^>]*hidden>', page)
    assert 'name="address"' in page


def test_an_idea_with_a_pin(resident, theme):
    response = login(resident).post(
        SUBMIT_URL, form_data(resident, theme, latitude="43.604512", longitude="1.444321")
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.latitude, proposal.longitude) == (Decimal("43.604512"), Decimal("1.444321"))
    assert proposal.address == ""


def test_an_idea_with_an_address_only(resident, theme):
    response = login(resident).post(
        SUBMIT_URL, form_data(resident, theme, address="Devant l'école Jean Moulin")
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.address == "Devant l'école Jean Moulin"
    assert proposal.latitude is None and proposal.longitude is None


@pytest.mark.parametrize(
    "point", [{"latitude": "43.6"}, {"longitude": "1.44"}, {"latitude": "91", "longitude": "1"}]
)
def test_half_or_wrong_points_are_refused_beside_the_address(resident, theme, point):
    response = login(resident).post(SUBMIT_URL, form_data(resident, theme, **point))
    assert response.status_code == 200
    assert not Proposal.objects.exists()
    page = response.content.decode()
    assert "Le point sur la carte n&#x27;est pas valable" in page
    assert re.search(r'name="address"[^>]*aria-invalid="true"', page)


# --- The ideas map ------------------------------------------------------------------------------


@pytest.fixture
def ideas(resident, other_resident, theme):
    def idea(title, author, **fields):
        fields.setdefault("latitude", Decimal("43.6"))
        fields.setdefault("longitude", Decimal("1.44"))
        return ProposalFactory(title=title, author=author, theme=theme, **fields)

    return {
        "tilleuls": idea("Bancs aux Tilleuls", resident),
        "bel_air": idea("Fleurs à Bel-Air", other_resident),
        "no_point": idea("Idée sans lieu", resident, latitude=None, longitude=None),
        "hidden": idea("Idée masquée", resident, is_hidden=True),
        "submitted": idea("Idée pas encore relue", resident, status=Status.SUBMITTED),
        "rejected": idea("Idée refusée", resident, status=Status.REFUSED),
    }


def titles_on(response):
    return sorted(marker["title"] for marker in payload_of(response)["markers"])


def test_the_map_shows_public_ideas_with_a_point(client, ideas, tilleuls):
    response = client.get(MAP_URL)
    assert response.status_code == 200
    assert titles_on(response) == ["Bancs aux Tilleuls", "Fleurs à Bel-Air"]
    marker = next(m for m in payload_of(response)["markers"] if m["title"].startswith("Bancs"))
    assert marker == {
        "lat": 43.6,
        "lng": 1.44,
        "title": "Bancs aux Tilleuls",
        "url": ideas["tilleuls"].get_absolute_url(),
    }
    page = response.content.decode()
    # The same ideas in words, and the one without a point is pointed to the list.
    assert "Fleurs à Bel-Air" in page
    assert "1 autre idée n'a pas de point sur la carte" in page


@pytest.mark.parametrize("who", ["anonymous", "author", "other_resident"])
def test_hidden_and_unpublished_ideas_never_leak(ideas, resident, other_resident, who):
    client = {"anonymous": Client(), "author": login(resident)}.get(who) or login(other_resident)
    response = client.get(MAP_URL)
    page = response.content.decode()
    for key in ("hidden", "submitted"):
        assert ideas[key].title not in page
        assert ideas[key].get_absolute_url() not in page
    assert "Idée masquée" not in json.dumps(payload_of(response))


def test_the_map_follows_the_list_filters(client, ideas, tilleuls, bel_air):
    assert titles_on(client.get(MAP_URL, {"quartier": "bel-air"})) == ["Fleurs à Bel-Air"]
    assert titles_on(client.get(MAP_URL, {"q": "Fleurs"})) == ["Fleurs à Bel-Air"]
    assert titles_on(client.get(MAP_URL, {"etat": "published"})) == [
        "Bancs aux Tilleuls",
        "Fleurs à Bel-Air",
    ]
    # An unknown value is ignored, as on the list.
    assert len(titles_on(client.get(MAP_URL, {"quartier": "nulle-part"}))) == 2


def test_list_and_map_link_to_each_other_with_the_filters(client, ideas, tilleuls):
    listing = client.get(reverse("proposals:list"), {"quartier": "les-tilleuls"})
    page = listing.content.decode()
    assert f'href="{MAP_URL}?quartier=les-tilleuls"' in page
    assert LEAFLET not in page  # no map library on the list itself
    on_map = client.get(MAP_URL, {"quartier": "les-tilleuls"}).content.decode()
    assert f'href="{reverse("proposals:list")}?quartier=les-tilleuls" aria-current' not in on_map
    assert f'href="{reverse("proposals:list")}?quartier=les-tilleuls"' in on_map


def test_the_map_draws_the_quartier_outlines(client, ideas, tilleuls, bel_air):
    tilleuls.outline = SQUARE
    tilleuls.save()
    outlines = payload_of(client.get(MAP_URL))["outlines"]
    assert outlines == [{"name": "Les Tilleuls", "geometry": SQUARE}]
    assert payload_of(client.get(MAP_URL, {"quartier": "bel-air"}))["outlines"] == []


def test_an_empty_map_says_what_to_do(client, db):
    page = client.get(MAP_URL).content.decode()
    assert "Aucune idée n'a encore de point sur la carte" in page
    assert "carte-donnees" not in page


def test_the_idea_page_shows_its_point(client, ideas):
    page = client.get(ideas["tilleuls"].get_absolute_url())
    assert payload_of(page)["markers"] == [
        {"lat": 43.6, "lng": 1.44, "title": "Bancs aux Tilleuls"}
    ]
    assert LEAFLET in page.content.decode()
    plain = client.get(ideas["no_point"].get_absolute_url()).content.decode()
    assert LEAFLET not in plain and "carte-donnees" not in plain


# --- Actions, events, assemblies -------------------------------------------------------------


def test_an_action_with_a_point_has_a_map(client, tilleuls):
    action = ActionFactory(neighbourhood=tilleuls, latitude=Decimal("43.61"), longitude="1.45")
    page = client.get(action.get_absolute_url())
    assert payload_of(page)["markers"][0]["lat"] == 43.61
    markup = page.content.decode()
    assert action.meeting_place in markup  # the place in words stays
    assert "https://www.openstreetmap.org/?mlat=43.610000&amp;mlon=1.450000" in markup
    bare = ActionFactory(neighbourhood=tilleuls)
    assert LEAFLET not in client.get(bare.get_absolute_url()).content.decode()


def test_an_event_with_a_point_has_a_map(client, site_tree, tilleuls):
    event = make_event(neighbourhood=tilleuls, latitude=Decimal("43.6"), longitude=Decimal("1.4"))
    page = client.get(event.url)
    assert payload_of(page)["markers"][0]["title"] == "Fête des voisins"
    assert "Place des Tilleuls" in page.content.decode()


def test_an_assembly_with_a_point_has_a_map(client, manager, tilleuls):
    assembly = make_assembly(manager, tilleuls, latitude=Decimal("43.6"), longitude=Decimal("1.4"))
    tilleuls.outline = SQUARE
    tilleuls.save()
    page = client.get(assembly.get_absolute_url())
    data = payload_of(page)
    assert data["markers"][0]["lng"] == 1.4
    assert data["outlines"][0]["name"] == "Les Tilleuls"


def test_half_points_are_refused_by_the_models_and_the_database(tilleuls, site_tree):
    action = ActionFactory.build(neighbourhood=tilleuls, latitude=Decimal("43.6"))
    with pytest.raises(ValidationError) as raised:
        action.full_clean()
    assert "longitude" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        make_event(neighbourhood=tilleuls, longitude=Decimal("1.4"))
    assert "latitude" in raised.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(neighbourhood=tilleuls, latitude=Decimal("43.6"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(neighbourhood=tilleuls, latitude=Decimal("95"), longitude=Decimal("1"))


# --- Outlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, code",
    [
        ({"type": "Point", "coordinates": [1, 43]}, "not_a_polygon"),
        ([1, 2, 3], "not_a_polygon"),
        ({"type": "Polygon", "coordinates": []}, "no_coordinates"),
        ({"type": "Polygon", "coordinates": [[[1, 43], [2, 43], [1, 43]]]}, "short_ring"),
        ({"type": "Polygon", "coordinates": [[[1, 43], [2, 43], [2, 44], [1, 44]]]}, "open_ring"),
        (
            {"type": "Polygon", "coordinates": [[[1, 43], [200, 43], [2, 44], [1, 43]]]},
            "out_of_range",
        ),
        ({"type": "Polygon", "coordinates": [[[1, 43], ["2", 43], [2, 44], [1, 43]]]}, "bad_point"),
        (
            {"type": "Polygon", "coordinates": [[[1.0 + i / 1e6, 43.0] for i in range(9000)]]},
            "too_large",
        ),
    ],
)
def test_bad_outlines_are_refused(value, code):
    with pytest.raises(ValidationError) as raised:
        places.validate_outline(value)
    assert raised.value.code == code


def test_good_outlines_pass():
    places.validate_outline(SQUARE)
    places.validate_outline({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]})
    feature = {"type": "Feature", "properties": {}, "geometry": SQUARE}
    places.validate_outline(feature)
    assert places.outline_geometry(feature) == SQUARE


@pytest.mark.parametrize(
    "pasted, message",
    [
        ('{"type": "Polygon", "coordinates": [[[1, 43]', "JSON"),
        ('{"type": "LineString", "coordinates": [[1, 43], [2, 44]]}', "Polygon"),
    ],
)
def test_staff_pasting_a_bad_outline_get_a_form_error(tilleuls, pasted, message):
    url = reverse("wagtailsnippets_territory_neighbourhood:edit", args=[tilleuls.pk])
    admin = UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    client = login(admin)
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="outline"' in form.content.decode()
    data = {
        "regie": tilleuls.regie_id,
        "name": tilleuls.name,
        "slug": tilleuls.slug,
        "description": "",
        "is_active": "on",
        "outline": pasted,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    tilleuls.refresh_from_db()
    assert tilleuls.outline is None
    data["outline"] = json.dumps(SQUARE)
    assert client.post(url, data).status_code == 302
    tilleuls.refresh_from_db()
    assert tilleuls.outline == SQUARE


# --- Content-Security-Policy --------------------------------------------------------------------


def test_map_pages_keep_the_strict_policy_and_allow_only_the_tile_host(client, ideas, resident):
    for response in (
        client.get(MAP_URL),
        client.get(ideas["tilleuls"].get_absolute_url()),
        login(resident).get(SUBMIT_URL),
    ):
        assert_strict(response)
        assert directives(response)["img-src"] == [
            "'self'",
            "data:",
            "blob:",
            "https://tile.openstreetmap.org",
        ]
        assert "openstreetmap" not in " ".join(directives(response)["connect-src"])
