"""Maps in the Wagtail admin: staff drop a pin for ideas, actions, events and assemblies
(``civic.places.panels.PointPanel``) instead of typing coordinates. The inputs stay (the
page works without JavaScript); the map's data is a ``json_script`` block and its
behaviour a static file (static/js/admin-map.js). The browser side is in
e2e/test_admin_map.py."""

import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from civic.proposals.models import Proposal
from tests.agenda_factories import make_event
from tests.assemblies_factories import make_assembly
from tests.factories import ActionFactory, ProposalFactory, UserFactory

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[1.44, 43.60], [1.45, 43.60], [1.45, 43.61], [1.44, 43.61], [1.44, 43.60]]],
}


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(email="admin@example.org", is_superuser=True, is_staff=True))
    return client


def point_boxes(html):
    """(data id, latitude input id, longitude input id) of each pin map on the page."""
    return re.findall(
        r'data-admin-point="([^"]+)" data-latitude="([^"]+)" data-longitude="([^"]+)"', html
    )


def json_block(html, data_id):
    match = re.search(
        rf'<script id="{re.escape(data_id)}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, data_id
    return json.loads(match.group(1))


def assert_pin_map(response, *, outline=None):
    assert response.status_code == 200
    html = response.content.decode()
    boxes = point_boxes(html)
    assert len(boxes) == 1, boxes
    data_id, latitude_id, longitude_id = boxes[0]
    # The inputs are still there, named as the map says, for a form without JavaScript.
    assert f'id="{latitude_id}"' in html and 'name="latitude"' in html
    assert f'id="{longitude_id}"' in html and 'name="longitude"' in html
    data = json_block(html, data_id)
    assert data["config"]["tiles"] == settings.MAP_TILE_URL
    assert data["config"]["attribution"] == settings.MAP_TILE_ATTRIBUTION
    if outline is not None:
        assert data["outlines"][0]["geometry"] == outline
    # Leaflet and our script, as static files: no inline script of ours.
    assert "vendor/leaflet/leaflet.js" in html
    assert "js/admin-map.js" in html
    assert "css/admin-map.css" in html
    assert html.index("vendor/leaflet/leaflet.js") < html.index("js/admin-map.js")
    return html


def test_an_action_has_a_pin_map_with_its_quartier_outline(admin_client, tilleuls):
    tilleuls.outline = SQUARE
    tilleuls.save()
    action = ActionFactory(neighbourhood=tilleuls, latitude=Decimal("43.6047"), longitude=1.4442)
    url = reverse("volunteering_actions:edit", args=[action.pk])
    html = assert_pin_map(admin_client.get(url), outline=SQUARE)
    assert 'value="43.604700"' in html
    assert_pin_map(admin_client.get(reverse("volunteering_actions:add")))


def test_an_assembly_has_a_pin_map(admin_client, manager, tilleuls):
    assembly = make_assembly(manager, tilleuls)
    assert_pin_map(admin_client.get(reverse("assemblies_admin:edit", args=[assembly.pk])))
    assert_pin_map(admin_client.get(reverse("assemblies_admin:add")))


def test_an_event_page_has_a_pin_map(admin_client, site_tree):
    event = make_event(latitude=Decimal("43.6052"), longitude=Decimal("1.4425"))
    assert_pin_map(admin_client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])))


def test_an_idea_has_a_pin_map_and_staff_can_place_it(admin_client, resident):
    idea = ProposalFactory(author=resident)
    url = reverse("proposals_admin:edit", args=[idea.pk])
    assert_pin_map(admin_client.get(url))
    data = {"theme": idea.theme_id, "neighbourhood": idea.neighbourhood_id}

    response = admin_client.post(url, {**data, "latitude": "43.605800", "longitude": "1.445"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.latitude, idea.longitude) == (Decimal("43.605800"), Decimal("1.445000"))

    response = admin_client.post(url, {**data, "latitude": "", "longitude": ""})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.latitude, idea.longitude) == (None, None)


@pytest.mark.parametrize(
    "latitude, longitude, field, message",
    [
        ("43.6", "", "longitude", "Donnez aussi la longitude"),
        ("", "1.44", "latitude", "Donnez aussi la latitude"),
        ("95", "1.44", "latitude", "inférieure ou égale à 90"),
        ("43.6", "-181", "longitude", "supérieure ou égale à -180"),
    ],
)
def test_half_or_wrong_idea_points_are_form_errors(
    admin_client, resident, latitude, longitude, field, message
):
    idea = ProposalFactory(author=resident, latitude=Decimal("43.6"), longitude=Decimal("1.4"))
    url = reverse("proposals_admin:edit", args=[idea.pk])
    data = {"theme": idea.theme_id, "neighbourhood": idea.neighbourhood_id}
    response = admin_client.post(url, {**data, "latitude": latitude, "longitude": longitude})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    idea.refresh_from_db()
    assert (idea.latitude, idea.longitude) == (Decimal("43.6"), Decimal("1.4"))
    assert Proposal.objects.filter(latitude__isnull=False, longitude__isnull=True).count() == 0


def test_a_resident_never_reaches_the_admin_maps(client, resident):
    idea = ProposalFactory(author=resident)
    client.force_login(resident)
    response = client.get(reverse("proposals_admin:edit", args=[idea.pk]))
    assert response.status_code in (302, 403)
    assert b"data-admin-point" not in response.content


# --- A quartier's outline ----------------------------------------------------------------------


def neighbourhood_form(tilleuls, outline):
    return {
        "regie": tilleuls.regie_id,
        "name": tilleuls.name,
        "slug": tilleuls.slug,
        "description": "",
        "is_active": "on",
        "outline": outline,
    }


def test_the_quartier_form_has_a_drawing_map_over_its_textarea(admin_client, tilleuls):
    tilleuls.outline = SQUARE
    tilleuls.save()
    url = reverse("wagtailsnippets_territory_neighbourhood:edit", args=[tilleuls.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(r'data-admin-outline="([^"]+)" data-textarea="([^"]+)"', html)
    assert len(found) == 1, found
    data_id, textarea_id = found[0]
    # The textarea is still the field (pasting works, and without JavaScript too).
    assert re.search(rf'<textarea[^>]*name="outline"[^>]*id="{textarea_id}"', html) or re.search(
        rf'<textarea[^>]*id="{textarea_id}"[^>]*name="outline"', html
    )
    assert json.loads(response.context["form"]["outline"].value()) == SQUARE
    assert json_block(html, data_id)["tiles"] == settings.MAP_TILE_URL
    for label in ("Annuler le dernier point", "Effacer"):
        assert label in html
    assert "js/admin-map.js" in html and "vendor/leaflet/leaflet.js" in html


def test_a_drawn_outline_is_saved_and_an_unfinished_one_explained(admin_client, tilleuls):
    url = reverse("wagtailsnippets_territory_neighbourhood:edit", args=[tilleuls.pk])
    # What static/js/admin-map.js writes after three clicks: a closed ring of 4 positions.
    drawn = {
        "type": "Polygon",
        "coordinates": [
            [[1.4442, 43.6047], [1.4461, 43.6039], [1.4425, 43.6052], [1.4442, 43.6047]]
        ],
    }
    response = admin_client.post(url, neighbourhood_form(tilleuls, json.dumps(drawn)))
    assert response.status_code == 302
    tilleuls.refresh_from_db()
    assert tilleuls.outline == drawn

    # After two clicks only: the form says what is missing and keeps the saved outline.
    two = {
        "type": "Polygon",
        "coordinates": [[[1.4442, 43.6047], [1.4461, 43.6039], [1.4442, 43.6047]]],
    }
    response = admin_client.post(url, neighbourhood_form(tilleuls, json.dumps(two)))
    assert response.status_code == 200
    assert "au moins 4 points" in response.content.decode()
    tilleuls.refresh_from_db()
    assert tilleuls.outline == drawn

    # « Effacer » empties the textarea: the outline is removed.
    assert admin_client.post(url, neighbourhood_form(tilleuls, "")).status_code == 302
    tilleuls.refresh_from_db()
    assert tilleuls.outline is None
