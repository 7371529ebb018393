"""Journey 1: a new resident signs up, confirms their address from the email, lands logged
in, and switches the site to English from their account page."""

import re
import uuid

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

PASSWORD = "Un-jardin-sous-les-tilleuls-26"  # noqa: S105 - a throwaway test account


def test_sign_up_confirm_by_email_then_switch_to_english(personas, server):
    address = f"lea.{uuid.uuid4().hex[:8]}@exemple.org"
    lea = personas("lea")
    page = lea.new_page()

    page.goto("/")
    page.get_by_role("navigation", name="Mon compte").get_by_role(
        "link", name="Créer un compte"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Création de compte")
    page.get_by_label("E-mail").fill(address)
    page.get_by_label("Nom affiché").fill("Léa N.")
    page.get_by_label("Votre quartier").select_option(label="Bel-Air")
    page.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation) :", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()

    # Not logged in yet: the page asks to check the mailbox.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Vérifiez", re.I))
    expect(page.get_by_role("main")).to_contain_text(address)

    message = server.wait_for_email(address, body="/comptes/confirm-email/")
    assert "[Quartier Commun]" in message.subject
    link = message.link(r"/comptes/confirm-email/[^/\s]+/$")
    assert link.startswith(server.origin), link

    page.goto(link)
    expect(page.get_by_role("main")).to_contain_text(address)
    page.get_by_role("button", name="Confirmer").click()

    # Logged in at once, on the account page, with the name and quartier given at sign-up.
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_role("main")).to_contain_text(f"Votre adresse de connexion est {address}")
    expect(page.get_by_label("Nom affiché")).to_have_value("Léa N.")
    expect(page.get_by_label("Votre quartier").locator("option:checked")).to_have_text("Bel-Air")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    page.get_by_label("Langue préférée").select_option(label="English")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_role("status").filter(has_text="Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    expect(page.get_by_role("link", name="Skip to content")).to_be_attached()

    # Another page, later: still in English (the preference is kept, not only this page).
    page.goto("/idees/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="My account")).to_be_visible()
