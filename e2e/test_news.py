"""Journey 4: the Régie publishes a news article in Wagtail; a visitor who has the home page
open sees it arrive in "Dernières actualités" without reloading."""

import re
import uuid

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import DEMO  # noqa: E402


def test_news_published_in_wagtail_appears_live_on_the_home_page(personas, server):
    title = f"Collecte de jouets à la Régie ({uuid.uuid4().hex[:6]})"
    lead = "Déposez les jouets en bon état à l'accueil de la Régie jusqu'à vendredi."

    # --- A visitor (not logged in) has the home page open.
    visitor = personas("visitor")
    home = visitor.new_page()
    home.goto("/")
    latest = home.get_by_role("region", name="Dernières actualités")
    expect(latest.get_by_role("listitem").first).to_be_visible()
    cards_before = latest.get_by_role("listitem").count()
    expect(latest.get_by_role("link", name=title)).to_have_count(0)
    home.live.wait_for("/ws/live/", "hello")  # listening: nothing is replayed later

    # --- Nadia opens the administration, is asked to log in, and lands back there.
    nadia = personas("manager")
    admin = nadia.log_in(DEMO["manager"], start="/admin/", lands="/admin/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Quartier Commun")

    # Pages › home › Actualités › add a sub-page (only news articles fit there).
    admin.get_by_role("navigation", name="Menu principal").get_by_role(
        "button", name="Pages"
    ).click()
    admin.get_by_role("link", name="Bienvenue dans votre quartier", exact=True).click()
    admin.get_by_role("link", name="Explorer les sous-pages de « Actualités »").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(re.compile("Actualités"))
    admin.get_by_role("link", name="Ajouter une sous-page").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(re.compile("Actualité"))

    admin.get_by_role("textbox", name="Titre*").fill(title)
    admin.get_by_role("textbox", name="Chapeau*").fill(lead)
    body = admin.get_by_role("region", name="Contenu*")
    body.get_by_role("button", name="Insérer un bloc").first.click()
    admin.get_by_role("option", name="Paragraphe").click()
    paragraph = body.get_by_role("region", name=re.compile("^Paragraphe")).get_by_role("textbox")
    paragraph.click()
    admin.keyboard.type("Les jouets seront donnés aux familles du quartier pour les fêtes.")
    expect(paragraph).to_have_text(re.compile("donnés aux familles"))
    # Draftail saves its state into the form a moment after typing (not on submit): a
    # person is never that fast, a script is. Wait until the form holds the text.
    expect(body.locator("input[name='body-0-value']")).to_have_value(
        re.compile("donnés aux familles")
    )

    admin.get_by_role("button", name="Plus d'actions").click()
    admin.get_by_role("button", name="Publier", exact=True).click()
    expect(admin.get_by_role("status").first).to_contain_text(title)
    expect(admin.get_by_role("status").first).to_contain_text(re.compile("publiée", re.I))

    # --- The visitor's page, never reloaded: the article is on top, marked new.
    new_card = latest.get_by_role("listitem").first
    expect(new_card.get_by_role("link", name=title)).to_be_visible()
    expect(new_card).to_contain_text("Nouveau")
    expect(new_card).to_contain_text(lead)
    expect(latest.get_by_role("listitem")).to_have_count(cards_before + 1)
    expect(latest.get_by_role("status")).to_have_text(f"Nouvelle actualité publiée\u202f: {title}")

    # The link leads to the published article.
    new_card.get_by_role("link", name=title).click()
    expect(home.get_by_role("heading", level=1)).to_have_text(title)
    expect(home.get_by_role("main")).to_contain_text("donnés aux familles du quartier")
