"""Journey 6: a neighbourhood assembly voting live.

Samia and Yves register for the demo's upcoming Les Tilleuls assembly from its page (Amina
already is). Nadia (Régie manager) chairs: at the door she checks Amina and Samia in from
the list, Yves from the code he reads aloud from his assembly page (typed at the door). The
three members keep the live session page open in their own browsers; Nadia opens the
session, prepares a for/against vote and opens it. The members see it appear and vote;
Yves reloads after voting (his choice and the open vote are still there), Samia changes
her vote; Nadia's page and the projector count three votes without reload. Nadia closes
the vote: every member's page and the projector show the result, live. Amina asks to
speak, Nadia gives her the floor, Amina's page says so.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import DEMO  # noqa: E402

SOCKET = "/ws/assemblees/"
TITLE = "Assemblée de quartier des Tilleuls"  # civic/assemblies/demo.py
QUESTION = "Installer deux bancs autour de l'aire de jeux ?"
MEMBERS = ("amina", "samia", "yves")
NAMES = {"amina": "Amina B.", "samia": "Samia K.", "yves": "Yves L."}


def vote_box(page):
    """The "Vote" section of the member's page, the chair's page or the projector."""
    return page.get_by_role("region", name=re.compile(r"^Vote"))


def votes_cast(page):
    return vote_box(page).locator("[data-live='votes-cast']")


def ballot(page):
    return page.get_by_role("group", name="Votre vote")


def register(persona):
    """The member opens the assembly from the list and registers (or already is)."""
    page = persona.log_in(DEMO[persona.name])
    page.goto("/assemblees/")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    take_part = page.get_by_role("region", name="Participer")
    if persona.name != "amina":  # the demo registered Amina
        take_part.get_by_role("button", name="Je m'inscris").click()
        expect(page.get_by_role("status").first).to_contain_text(
            "votre inscription est enregistrée"
        )
    expect(take_part).to_contain_text("Votre inscription est enregistrée.")
    return page


def test_chair_and_three_members_vote_live(personas, server):
    members = {name: personas(name) for name in MEMBERS}
    pages = {name: register(persona) for name, persona in members.items()}
    assembly_path = re.search(r"/assemblees/\d+/", pages["amina"].url).group(0)
    code = pages["yves"].locator("code.checkin-token").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code), f"not a presence code: {code!r}"

    # --- The members open the live page (their phones), before the door notes them.
    for page in pages.values():
        page.get_by_role("link", name="Suivre la séance en direct").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("séance en direct")
        expect(page.locator("[data-live='session']")).to_have_text("La séance n'a pas commencé.")
        expect(page.locator(".me")).to_contain_text("présence n'est pas encore notée")
        page.live.wait_for(SOCKET, "assembly.snapshot")

    # --- Nadia at the door: Amina and Samia from the list, Yves from his code.
    nadia = personas("manager")
    door = nadia.log_in(DEMO["manager"])
    door.goto(assembly_path + "accueil/")
    expect(door.get_by_role("heading", level=1)).to_contain_text("Accueil des participants")
    for name in ("amina", "samia"):
        door.get_by_label("Rechercher un nom ou une adresse e-mail").fill(NAMES[name][:5])
        door.get_by_role("button", name="Chercher").first.click()
        row = door.get_by_role("row").filter(has_text=NAMES[name])
        row.get_by_role("button", name=f"Noter la présence de {NAMES[name]}").click()
        expect(door.get_by_role("status").first).to_contain_text(
            f"La présence de {NAMES[name]} est notée."
        )
        expect(door.get_by_role("row").filter(has_text=NAMES[name])).to_contain_text(
            "Présence notée"
        )
    # Yves reads his code aloud; Nadia types it as she hears it.
    door.get_by_label(re.compile(r"^Code dicté ou lu")).fill(code.lower().replace("-", " "))
    door.get_by_role("button", name="Valider le code").click()
    expect(door.get_by_role("heading", level=1)).to_have_text(NAMES["yves"])
    door.get_by_role("button", name="Noter la présence").click()
    expect(door.locator(".checkin-done")).to_contain_text("Présence notée")

    # The members' pages, open since before, say so without reload.
    for page in pages.values():
        expect(page.locator(".me")).to_contain_text("Votre présence est notée.")

    # --- The chair's page and the projector (another tab).
    chair = nadia.new_page()
    chair.goto(assembly_path + "presidence/")
    expect(chair.get_by_role("heading", level=1)).to_contain_text("Présidence de séance")
    chair.live.wait_for(SOCKET, "assembly.snapshot")
    projector = nadia.new_page()
    projector.goto(assembly_path + "projecteur/")
    projector.live.wait_for(SOCKET, "assembly.snapshot")
    expect(projector.locator("[data-live='present']").first).to_have_text("3")

    chair.get_by_role("button", name="Ouvrir la séance").click()
    expect(chair.locator(".session-status")).to_contain_text("Séance en cours")
    for page in [*pages.values(), projector]:
        expect(page.locator("[data-live='session']")).to_have_text("Séance en cours")

    # Preparing a vote is a plain form: the chair's page is a new document afterwards.
    chair.get_by_label("Question posée").fill(QUESTION)
    expect(chair.get_by_label("Type de vote").locator("option:checked")).to_have_text(
        "Pour / contre / abstention"
    )
    chair.get_by_role("button", name="Préparer ce vote").click()
    expect(chair.get_by_role("status").first).to_contain_text("Le vote est prêt")
    chair.live.wait_for(SOCKET, "assembly.snapshot")
    # Prepared, not opened: the room does not see it yet.
    expect(vote_box(pages["amina"])).to_contain_text("Pas de vote en cours.")
    chair.get_by_role("button", name=f"Ouvrir le vote « {QUESTION} »").click()

    # --- The vote appears on every member's page, without reload.
    for page in pages.values():
        expect(vote_box(page)).to_contain_text("Vote ouvert")
        expect(vote_box(page)).to_contain_text(QUESTION)
        expect(ballot(page).get_by_role("radio")).to_have_count(3)
        expect(ballot(page)).to_contain_text("Vous n'avez pas encore voté.")
    expect(vote_box(projector)).to_contain_text(QUESTION)
    expect(votes_cast(chair)).to_have_text("0")

    choices = {"amina": "Pour", "samia": "Contre", "yves": "Pour"}
    for name, label in choices.items():
        page = pages[name]
        ballot(page).get_by_label(label, exact=True).check()
        ballot(page).get_by_role("button", name="Voter").click()
        expect(ballot(page).get_by_role("status")).to_have_text("Vote enregistré.")
        expect(ballot(page)).to_contain_text(f"Votre choix actuel : {label}")
        expect(ballot(page).get_by_role("button", name="Changer mon vote")).to_be_visible()

    # The chair and the projector count the three votes live.
    expect(votes_cast(chair)).to_have_text("3")
    expect(votes_cast(projector)).to_have_text("3")

    # --- Yves reloads: his choice is still selected, the vote still open.
    yves = pages["yves"]
    yves.reload()
    yves.live.wait_for(SOCKET, "assembly.snapshot")
    expect(vote_box(yves)).to_contain_text("Vote ouvert")
    expect(ballot(yves).get_by_label("Pour", exact=True)).to_be_checked()
    expect(ballot(yves)).to_contain_text("Votre choix actuel : Pour")

    # --- Samia changes her mind: still three votes.
    samia = pages["samia"]
    ballot(samia).get_by_label("Pour", exact=True).check()
    ballot(samia).get_by_role("button", name="Changer mon vote").click()
    expect(ballot(samia)).to_contain_text("Votre choix actuel : Pour")
    expect(votes_cast(chair)).to_have_text("3")

    # --- Nadia closes the vote: the result everywhere, live.
    vote_box(chair).get_by_role("button", name="Clore le vote").click()
    for page in [*pages.values(), projector, chair]:
        box = vote_box(page)
        expect(box).to_contain_text("Vote clos")
        expect(box.locator(".result-outcome")).to_have_text("Adopté")
        expect(box.locator(".tally").filter(has_text="Pour")).to_contain_text("3 voix")
        expect(box.get_by_role("radio")).to_have_count(0)
    # Screen readers hear the result (the page's assertive live region).
    expect(pages["amina"].locator("#assembly-live-assertive")).to_contain_text("Adopté")

    # --- Amina asks to speak; Nadia gives her the floor; Amina's page says so.
    amina = pages["amina"]
    floor = amina.get_by_role("region", name="Prise de parole")
    floor.get_by_role("button", name="Demander la parole").click()
    expect(floor).to_contain_text("Votre demande de parole est notée.")
    chair_floor = chair.get_by_role("region", name="Prise de parole")
    chair_floor.get_by_role("button", name=f"Donner la parole à {NAMES['amina']}").click()
    expect(chair_floor).to_contain_text(f"A la parole : {NAMES['amina']}")
    expect(floor).to_contain_text("Vous avez la parole.")
    expect(floor).to_contain_text(f"A la parole : {NAMES['amina']}")
    expect(projector.get_by_role("region", name="Prise de parole")).to_contain_text(
        f"A la parole : {NAMES['amina']}"
    )
    expect(amina.locator("#assembly-live-assertive")).to_contain_text("Vous avez la parole.")
