"""Journey 3: the last place of a shift, the waiting list and the promotion, live.

On the demo clean-up ("Grand nettoyage de la place des Tilleuls"), the "accueil" shift has
one place. Yves keeps the action page open. Samia takes the place: Yves's page shows
"Complet" and no place left without reload, and its button becomes "Rejoindre la liste
d'attente", which Yves uses. Samia cancels: Yves is promoted (his page's waiting list
empties live; his own state after reload), he gets the email, and "Mes créneaux" shows
the shift with its QR code.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import DEMO  # noqa: E402

ACTION = "Grand nettoyage de la place des Tilleuls"


def open_action(page):
    page.goto("/agir/")
    page.get_by_role("link", name=ACTION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTION)
    return re.search(r"/agir/\d+/$", page.url).group(0)


def welcome_shift(page):
    """The shift whose role is "accueil", as a list item of "Les créneaux"."""
    shifts = page.get_by_role("region", name="Les créneaux").get_by_role("listitem")
    return shifts.filter(has_text="Rôle : accueil")


def waitlist(shift):
    """The "Liste d'attente : n" figure of a shift (hidden while nobody waits)."""
    return shift.get_by_text("Liste d'attente :")


def test_last_place_waitlist_and_promotion_live(personas, server):
    # --- Yves opens the action page first and keeps it open.
    yves = personas("yves")
    yves_page = yves.log_in(DEMO["yves"])
    action_path = open_action(yves_page)
    socket = f"/ws{action_path}"
    yves_shift = welcome_shift(yves_page)
    expect(yves_shift).to_have_count(1)
    expect(yves_shift).to_contain_text("Ouvert")
    expect(yves_shift).to_contain_text("Places libres : 1 sur 1")
    expect(yves_shift.get_by_role("button", name="Je m'inscris")).to_be_visible()
    yves_page.live.wait_for(socket, "shift.snapshot")

    # --- Samia takes the last place.
    samia = personas("samia")
    samia_page = samia.log_in(DEMO["samia"])
    samia_page.goto(action_path)
    samia_shift = welcome_shift(samia_page)
    samia_shift.get_by_role("button", name="Je m'inscris").click()
    expect(samia_page.get_by_role("status").first).to_contain_text("Votre inscription au créneau")
    expect(samia_shift).to_contain_text("Votre inscription est enregistrée.")
    expect(samia_shift).to_contain_text("Complet")

    # --- Yves's page, not reloaded: full, no place left, the button offers the list.
    expect(yves_shift).to_contain_text("Complet")
    expect(yves_shift).to_contain_text("Places libres : 0 sur 1")
    join = yves_shift.get_by_role("button", name="Rejoindre la liste d'attente")
    expect(join).to_be_visible()
    expect(yves_page.locator("#volunteering-live-status")).to_contain_text("Complet")

    join.click()  # the form as updated live: it asks for the waiting list
    expect(yves_page.get_by_role("status").first).to_contain_text("vous êtes sur la liste")
    expect(yves_shift).to_contain_text("Vous êtes en liste d'attente (n° 1).")
    expect(waitlist(yves_shift)).to_be_visible()
    expect(waitlist(yves_shift)).to_have_text("Liste d'attente : 1")
    yves_page.live.wait_for(socket, "shift.snapshot")  # the new page listens again

    # --- Samia cancels: Yves takes the place.
    samia_shift.get_by_role("button", name="Me désinscrire").click()
    expect(samia_shift).not_to_contain_text("Votre inscription est enregistrée.")
    # The place she left went to the first person waiting: the shift is full again.
    expect(samia_shift).to_contain_text("Complet")
    expect(samia_shift.get_by_role("button", name="Rejoindre la liste d'attente")).to_be_visible()

    # Live on Yves's page: nobody waits any more, the place stays taken (by him).
    expect(waitlist(yves_shift)).to_be_hidden()
    expect(waitlist(yves_shift)).to_have_text("Liste d'attente : 0")
    expect(yves_shift).to_contain_text("Places libres : 0 sur 1")
    # His own state needs a reload (the live channel carries figures, never names).
    yves_page.reload()
    expect(yves_shift).to_contain_text("Votre inscription est enregistrée.")
    expect(yves_shift.get_by_role("button", name="Me désinscrire")).to_be_visible()

    promoted = server.wait_for_email(DEMO["yves"], subject="Une place s'est libérée")
    assert ACTION in promoted.subject

    # --- "Mes créneaux" (through "Mes inscriptions" in the menu): the shift, its role and
    # the QR code to show on the day.
    yves_page.get_by_role("navigation", name="Mon compte").get_by_role(
        "link", name="Mes inscriptions"
    ).click()
    yves_page.get_by_role("main").get_by_role("link", name="Mes créneaux").click()
    upcoming = yves_page.get_by_role("region", name="Mes prochains créneaux")
    card = upcoming.get_by_role("article", name=ACTION).filter(has_text="accueil")
    expect(card).to_have_count(1)
    expect(card.get_by_role("definition")).to_contain_text(["Devant la Régie", "accueil"])
    qr = card.get_by_role("img", name=re.compile(r"^Code QR de présence"))
    expect(qr).to_be_visible()
    code = card.locator("code.check-in-code")
    expect(code).to_have_text(re.compile(r"^[3-9A-Y]{3}-[3-9A-Y]{3}$"))
    expect(qr).to_have_accessible_name(re.compile(re.escape(code.inner_text())))
    assert qr.locator("svg").bounding_box()["width"] > 50
