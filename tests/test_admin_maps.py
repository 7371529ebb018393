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
