"""Journey: an idea placed on the map.

Amina proposes an idea by touching the map where it is (the tiles cannot load here: the
page says so and the pin still works); Nadia publishes it; a visitor opens the ideas map
and finds it as a marker that links to the idea.
"""

import re
import uuid

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import DEMO  # noqa: E402

TILES = re.compile(r"^https://tile\.openstreetmap\.org/")


def test_idea_placed_with_a_pin_shows_on_the_map(personas, server):
    title = f"Un banc sous le platane ({uuid.uuid4().hex[:6]})"

    amina = personas("amina")
    amina.context.route(TILES, lambda route: route.abort())  # no tile service here
    page = amina.log_in(DEMO["amina"])
    page.goto("/idees/proposer/")
    page.get_by_label("Titre de votre idée").fill(title)
    page.get_by_label("Votre idée en quelques lignes").fill("Un banc à l'ombre pour les anciens.")
    page.get_by_label("Thème").select_option(label="Espaces verts")

    picker = page.locator("[data-map-picker]")
    expect(picker).to_be_visible()
    expect(page.get_by_role("button", name="Utiliser ma position")).to_be_visible()
    status = picker.locator("[data-map-status]")
    expect(status).to_contain_text("Le fond de carte ne se charge pas")
    # Touch the map: the pin drops, the hidden fields are filled.
    page.get_by_role("region", name="Carte pour poser le point de votre idée").click(
        position={"x": 160, "y": 120}
    )
    expect(status).to_have_text("Le point est posé sur la carte.")
    latitude = page.locator("#id_latitude").input_value()
    longitude = page.locator("#id_longitude").input_value()
    assert re.fullmatch(r"4[0-9]\.\d{6}", latitude), latitude
    assert re.fullmatch(r"-?\d\.\d{6}", longitude), longitude
    expect(page.get_by_role("button", name="Retirer le point")).to_be_visible()
    page.get_by_role("button", name="Envoyer mon idée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("region", name="Carte du lieu de l'idée")).to_be_visible()
    idea_path = re.search(r"/idees/\d+/$", page.url).group(0)

    nadia = personas("manager")
    staff_page = nadia.log_in(DEMO["manager"])
    staff_page.goto(idea_path)
    staff = staff_page.get_by_role("region", name="Réponse de la Régie")
    staff.get_by_label("Nouvel état").select_option(label="Publiée")
    staff.get_by_label("Réponse publique").fill("Merci, l'idée est ouverte aux soutiens.")
    staff.get_by_role("button", name="Enregistrer et publier la réponse").click()
    expect(staff_page.get_by_text("État : Publiée").first).to_be_visible()

    visitor = personas("visitor")
    visitor.context.route(TILES, lambda route: route.abort())
    map_page = visitor.context.new_page()
    map_page.set_viewport_size({"width": 390, "height": 844})
    map_page.goto("/idees/")
    map_page.get_by_role("link", name="Carte", exact=True).click()
    expect(map_page.get_by_role("heading", level=1)).to_have_text(
        "Les idées du quartier sur la carte"
    )
    ideas_map = map_page.get_by_role("region", name="Carte des idées")
    expect(ideas_map).to_be_visible()
    marker = ideas_map.get_by_role("button", name=title)
    expect(marker).to_have_count(1)
    marker.click()
    ideas_map.get_by_role("link", name=title).click()
    expect(map_page).to_have_url(re.compile(re.escape(idea_path) + "$"))
    # Nothing scrolls sideways on a phone.
    width = map_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
