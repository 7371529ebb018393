"""The home page as the neighbourhood's hub, on a 390 px phone: a visitor picks a quartier
(remembered), sees the next shift that needs people with its places left, and signs up in
one tap after logging in.

Uses the demo's set-up shift of La Source's party (three to four weeks ahead, 8 places):
Yves (added by arrange_demo.py) has nothing at that hour, and leaves the shift again at
the end so that the other journeys find it as the demo made it.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import ARTIFACTS, DEMO, DEMO_PASSWORD  # noqa: E402

PHONE = {"width": 390, "height": 844}
PARTY_SET_UP = "Fête de quartier de La Source : installation"


def test_a_visitor_picks_a_quartier_and_signs_up_for_the_next_shift(personas):
    yves = personas("yves")
    page = yves.new_page()
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_label("Votre quartier").locator("option:checked")).to_have_text(
        "Tous les quartiers"
    )

    # The picker is a plain GET form: it works without JavaScript, and is remembered.
    page.get_by_label("Votre quartier").select_option(label="La Source")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"\?quartier=la-source$"))
    page.goto("/")
    expect(page.get_by_label("Votre quartier").locator("option:checked")).to_have_text("La Source")

    shifts = page.get_by_role("region", name="On a besoin de vous")
    first = shifts.get_by_role("listitem").first
    expect(first).to_contain_text(PARTY_SET_UP)
    expect(first).to_contain_text(re.compile(r"\d+ places? libres?"))
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    sign_up = first.get_by_role("link", name="Je m'inscris")
    box = sign_up.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44

    # Tap 1: « Je m'inscris » asks to log in, then comes back to that very shift.
    sign_up.click()
    expect(page.get_by_role("heading", name="Connexion", level=1)).to_be_visible()
    page.get_by_label("E-mail").fill(DEMO["yves"])
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PARTY_SET_UP)
    assert re.search(r"#creneau-\d+$", page.url), page.url

    # Tap 2: the sign-up button of that shift, on the action page.
    shift_id = page.url.rsplit("#", 1)[1]
    shift = page.locator(f"#{shift_id}")
    shift.get_by_role("button", name="Je m'inscris").click()
    expect(page.locator(f"#{shift_id}")).to_contain_text("Votre inscription est enregistrée.")

    # Back home, signed in: the choice is still La Source, and the shift says so.
    page.goto("/")
    first = page.get_by_role("region", name="On a besoin de vous").get_by_role("listitem").first
    expect(first).to_contain_text(PARTY_SET_UP)
    expect(first).to_contain_text("Votre place est réservée.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-hub-390.png"), full_page=True)

    # Leave the shift as the demo made it, for the other journeys.
    page.goto(first.get_by_role("link", name=PARTY_SET_UP).get_attribute("href"))
    page.locator(f"#{shift_id}").get_by_role("button", name="Me désinscrire").click()
    expect(page.locator(f"#{shift_id}")).to_contain_text("Je m'inscris")
