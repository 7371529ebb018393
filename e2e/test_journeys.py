"""Three journeys of the neighbourhood's face, on a 390 px phone unless said otherwise:

- a resident searches from the menu and finds an idea, an event and a news item, each
  with its kind, and narrows the results to one kind;
- a resident registers for La Source's party, finds it under « Mes inscriptions » with the
  confirmation email (and its calendar file), and cancels from there;
- the Régie's manager opens the Wagtail dashboard: the to-do panels are there, each a
  link to act, avatars are initials (no third-party request), and « Nouvelle actualité »
  opens the news editor in one click.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import DEMO  # noqa: E402

PHONE = {"width": 390, "height": 844}
PARTY = "Fête de quartier de La Source"


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_resident_searches_from_the_menu_and_narrows_to_one_kind(personas):
    fatou = personas("fatou")
    page = fatou.log_in(DEMO["fatou"])
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.locator(".menu-button").click()
    page.get_by_role("link", name="Rechercher").click()
    page.get_by_label("Mots à chercher").fill("jardin")
    page.get_by_role("button", name="Rechercher").click()

    results = page.get_by_role("region", name=re.compile("résultat", re.I))
    expect(results).to_be_visible()
    kinds = page.get_by_role("navigation", name="Type de résultat")
    # Several kinds are found by one word, and each result says which kind it is.
    expect(kinds.get_by_role("link")).not_to_have_count(0)
    badges = set(page.locator(".badge").all_inner_texts())
    assert {"Événement"} <= badges, badges
    assert len(badges) >= 2, badges
    assert _fits(page)

    event_kind = kinds.get_by_role("link", name=re.compile(r"^Événements? \(\d+\)"))
    event_kind.click()
    expect(page).to_have_url(re.compile(r"type="))
    expect(page.locator(".badge")).not_to_have_count(0)
    assert set(page.locator(".badge").all_inner_texts()) == {"Événement"}
    page.get_by_role("link", name="Portes ouvertes du jardin partagé").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portes ouvertes du jardin partagé")


def test_my_registrations_gather_an_event_with_its_email_and_cancel_there(personas, server):
    samia = personas("samia")
    page = samia.log_in(DEMO["samia"])
    page.set_viewport_size(PHONE)
    page.goto("/agenda/")
    page.get_by_role("link", name=PARTY, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PARTY)
    page.get_by_role("button", name="Je m'inscris").first.click()
    expect(page.get_by_role("button", name="Me désinscrire").first).to_be_visible()

    # The confirmation email, with the date as a calendar file, and links to this site.
    mail = server.wait_for_email(DEMO["samia"], body=PARTY)
    assert server.url("/") in mail.body or mail.link(r"/agenda/"), mail.body
    emails = list(server.emails_folder.glob("*.log"))
    assert any("text/calendar" in path.read_text(errors="replace") for path in emails)

    # « Mes inscriptions » from the menu: the event is there, with its place.
    page.goto("/")
    page.locator(".menu-button").click()
    page.get_by_role("link", name="Mes inscriptions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes inscriptions")
    upcoming = page.get_by_role("region", name="À venir")
    item = upcoming.get_by_role("listitem").filter(has_text=PARTY)
    expect(item).to_contain_text("Place réservée")
    assert _fits(page)

    item.get_by_role("button", name="Me désinscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes inscriptions")
    expect(page.get_by_role("region", name="À venir").get_by_text(PARTY)).to_have_count(0)
    server.wait_for_email(DEMO["samia"], subject="Désinscription")


def test_the_regie_sees_its_to_do_and_writes_news_in_one_click(personas, browser):
    manager = personas("manager")
    page = manager.log_in(DEMO["manager"])
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(manager.server.url("/"))
            and request.url.startswith("http")
            else None
        ),
    )
    page.goto("/admin/")
    # Each heading carries its total (« 1 idée attend la modération », « … : aucun »).
    for heading in ("modération|à modérer", "[Ss]ignalement", "sans réponse", "[Cc]réneaux?"):
        expect(page.get_by_role("heading", name=re.compile(heading)).first).to_be_visible()
    # Initials, not a silhouette: an inline picture.
    assert page.locator(".avatar img").first.get_attribute("src").startswith("data:image/svg")
    page.wait_for_load_state("networkidle")
    assert outside == [], outside  # no avatar service, no font or script from elsewhere

    page.get_by_role("link", name="Nouvelle actualité").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/cms/newspage/\d+/$"))
    expect(page.get_by_role("textbox", name=re.compile("Titre|Title"))).to_be_visible()
