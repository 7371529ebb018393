"""Staff place things on a map in the Wagtail admin, instead of typing coordinates.

Nadia (the Régie's manager) drops the pin of the clean-up action: a click fills the
latitude and longitude, typing moves the pin, « Retirer le point » empties both; without
JavaScript the two inputs are still the field. The tiles cannot load here: the map says so
and still works. Screenshots at 390 and 1280 px go to test-results/admin-maps/.
"""

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import DEMO, DEMO_PASSWORD, _manage  # noqa: E402
from tests.live_server_helpers import BASE_DIR  # noqa: E402

TILES = re.compile(r"^https://tile\.openstreetmap\.org/")
SHOTS = Path(BASE_DIR) / "test-results" / "admin-maps"
ACTION = "Grand nettoyage de la place des Tilleuls"
# Quartiers are the administrators' (superusers'): the demo has none, this test adds one.
ADMIN = "admin-cartes@demo.quartier-commun.fr"
ADD_ADMIN = f"""
from allauth.account.models import EmailAddress
from civic.accounts.models import User
from civic.territory.models import Neighbourhood
if not User.objects.filter(email__iexact="{ADMIN}").exists():
    user = User.objects.create_user(
        email="{ADMIN}", password="{DEMO_PASSWORD}", display_name="Admin (Régie)",
        is_staff=True, is_superuser=True,
        neighbourhood=Neighbourhood.objects.get(slug="les-tilleuls"),
    )
    EmailAddress.objects.create(user=user, email="{ADMIN}", verified=True, primary=True)
"""


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(".qc-admin-map").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def nadia(personas):
    nadia = personas("manager")
    nadia.context.route(TILES, lambda route: route.abort())  # no tile service here
    return nadia


def edit_action(page):
    """The action's form: its title in the list leads to its shifts, whose address has its
    number."""
    page.goto("/admin/agir/actions/")
    page.get_by_role("link", name=ACTION).first.click()
    page.wait_for_url(re.compile(r"/admin/agir/actions/\d+/creneaux/$"))
    number = re.search(r"/actions/(\d+)/", page.url).group(1)
    page.goto(f"/admin/agir/actions/edit/{number}/")


def open_action(page):
    page.goto("/admin/agir/actions/")
    edit_action(page)
    expect(page.get_by_role("region", name="Carte pour poser le point")).to_be_visible()


def marker_box(page):
    return page.locator("[data-admin-point] .leaflet-marker-icon").bounding_box()


def test_staff_drop_the_pin_of_an_action(nadia):
    page = nadia.log_in(DEMO["manager"])
    page.set_viewport_size({"width": 1280, "height": 900})
    open_action(page)
    box = page.locator("[data-admin-point]")
    latitude, longitude = page.locator("#id_latitude"), page.locator("#id_longitude")
    status = box.locator("[data-map-status]")
    expect(status).to_contain_text("Le fond de carte ne se charge pas")

    # A click on the map fills both inputs.
    box.get_by_role("region", name="Carte pour poser le point").click(position={"x": 200, "y": 120})
    expect(status).to_have_text(
        "Le point est posé\u00a0: la latitude et la longitude sont remplies."
    )
    assert re.fullmatch(r"4\d\.\d{6}", latitude.input_value()), latitude.input_value()
    assert re.fullmatch(r"-?\d\.\d{6}", longitude.input_value()), longitude.input_value()

    # Typing moves the pin.
    before = marker_box(page)
    latitude.fill("43.6100")
    longitude.fill("1.4300")
    expect(status).to_have_text("Le point suit les nombres tapés.")
    after = marker_box(page)
    assert (before["x"], before["y"]) != (after["x"], after["y"])

    # Emptying, then placing again and saving.
    box.get_by_role("button", name="Retirer le point").click()
    assert (latitude.input_value(), longitude.input_value()) == ("", "")
    expect(box.locator(".leaflet-marker-icon")).to_have_count(0)
    latitude.fill("43.604700")
    longitude.fill("1.444200")
    expect(box.locator(".leaflet-marker-icon")).to_have_count(1)
    shoot(page, "action-pin")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state()
    errors = page.locator(".error-message").all_text_contents()
    assert not errors, errors
    expect(page.locator(".messages")).to_contain_text(ACTION)
    open_action(page)
    assert (latitude.input_value(), longitude.input_value()) == ("43.604700", "1.444200")
    expect(page.locator("[data-admin-point] .leaflet-marker-icon")).to_have_count(1)


def test_without_javascript_the_inputs_are_the_field(browser, server):
    context = browser.new_context(base_url=server.origin, locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/comptes/login/")
        page.get_by_label("E-mail").fill(DEMO["manager"])
        page.get_by_label("Mot de passe").fill("quartier-demo-2026")
        page.get_by_role("button", name="Connexion").click()
        edit_action(page)
        expect(page.locator("#id_latitude")).to_be_visible()
        expect(page.locator("#id_longitude")).to_be_visible()
        expect(page.locator("[data-admin-point]")).to_be_hidden()
        data = page.locator("script[type='application/json'][id$='-carte-donnees']").first
        assert json.loads(data.text_content())["config"]["tiles"].startswith("https://")
    finally:
        context.close()


@pytest.fixture
def administrator(personas, server):
    if not hasattr(server, "env"):
        pytest.skip("needs the test's own server (to add an administrator)")
    _manage(server.env, "shell", "-c", ADD_ADMIN)
    admin = personas("admin")
    admin.context.route(TILES, lambda route: route.abort())
    return admin


def test_staff_draw_the_outline_of_a_quartier(administrator):
    page = administrator.log_in(ADMIN)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/admin/snippets/territory/neighbourhood/")
    page.get_by_role("link", name="Les Tilleuls", exact=True).first.click()
    box = page.locator("[data-admin-outline]")
    region = box.get_by_role("region", name="Carte pour dessiner le contour du quartier")
    expect(region).to_be_visible()
    textarea = page.locator("#id_outline")
    status = box.locator("[data-map-status]")
    vertices = box.locator(".qc-admin-map__vertex")

    clear = box.get_by_role("button", name="Effacer")
    if clear.is_enabled():  # the demo's outline
        expect(vertices).not_to_have_count(0)
        clear.click()
    assert textarea.input_value() == ""
    expect(vertices).to_have_count(0)

    for x, y in ((150, 100), (450, 120), (400, 300)):
        region.click(position={"x": x, "y": y})
    expect(vertices).to_have_count(3)
    expect(status).to_have_text("Contour de 3 points\u00a0: il sera vérifié à l’enregistrement.")
    drawn = json.loads(textarea.input_value())
    ring = drawn["coordinates"][0]
    assert drawn["type"] == "Polygon" and len(ring) == 4 and ring[0] == ring[-1]

    box.get_by_role("button", name="Annuler le dernier point").click()
    expect(vertices).to_have_count(2)
    expect(status).to_have_text("Encore un point au moins pour fermer le contour.")
    region.click(position={"x": 200, "y": 320})
    expect(vertices).to_have_count(3)
    shoot(page, "quartier-outline")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state()
    errors = page.locator(".error-message").all_text_contents()
    assert not errors, errors

    # Back on the form: the saved outline is on the map, its points can be moved.
    page.goto("/admin/snippets/territory/neighbourhood/")
    page.get_by_role("link", name="Les Tilleuls", exact=True).first.click()
    expect(vertices).to_have_count(3)
    saved = json.loads(textarea.input_value())
    assert len(saved["coordinates"][0]) == 4

    # Pasting GeoJSON still works, and shows on the map.
    square = {
        "type": "Polygon",
        "coordinates": [[[1.44, 43.6], [1.45, 43.6], [1.45, 43.61], [1.44, 43.61], [1.44, 43.6]]],
    }
    textarea.fill(json.dumps(square))
    expect(status).to_have_text("Le contour collé est affiché sur la carte.")
    expect(vertices).to_have_count(4)
    textarea.fill("{pas du GeoJSON")
    expect(status).to_contain_text("ne se lit pas comme un contour GeoJSON")
