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

from e2e.conftest import DEMO  # noqa: E402
from tests.live_server_helpers import BASE_DIR  # noqa: E402

TILES = re.compile(r"^https://tile\.openstreetmap\.org/")
SHOTS = Path(BASE_DIR) / "test-results" / "admin-maps"
ACTION = "Grand nettoyage de la place des Tilleuls"


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
    expect(status).to_have_text("Le point est posé : la latitude et la longitude sont remplies.")
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
