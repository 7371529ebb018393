"""Journey 2: an idea from proposal to support, live.

Amina proposes an idea; Nadia (Régie manager, in her own browser) publishes it from the idea
page; Marcel finds it on the list and supports it. Amina's idea page, open since she sent
it and never reloaded, follows along over the WebSocket: the state becomes "Publiée", then
the count of supports becomes 1. Marcel comments; Amina sees the comment after reloading,
then stops and resumes following her idea.
"""

import re
import uuid

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import DEMO  # noqa: E402

SOCKET = "/ws/idees/"


def figure(text):
    """``text`` as a person reads it, its number not followed by another digit."""
    return re.compile(re.escape(text) + r"(?!\d)")


def supports(page):
    """The "Soutiens" box of an idea page."""
    return page.get_by_role("region", name="Soutiens")


def facts(page):
    """The line under an idea's title: its state (labelled for screen readers), comments."""
    return page.get_by_role("article").get_by_role("paragraph").filter(has_text="État :")


def test_idea_published_supported_live_commented_and_followed(personas, server):
    title = f"Des jardinières rue des Lilas ({uuid.uuid4().hex[:6]})"

    # --- Amina proposes the idea and keeps its page open.
    amina = personas("amina")
    author_page = amina.log_in(DEMO["amina"])
    author_page.goto("/idees/proposer/")
    author_page.get_by_label("Titre de votre idée").fill(title)
    author_page.get_by_label("Votre idée en quelques lignes").fill(
        "Des jardinières fleuries le long du trottoir, entretenues par les voisins."
    )
    author_page.get_by_label("Thème").select_option(label="Espaces verts")
    expect(
        author_page.get_by_label(re.compile(r"^Quartier")).locator("option:checked")
    ).to_have_text("Les Tilleuls")
    author_page.get_by_role("button", name="Envoyer mon idée").click()

    expect(author_page.get_by_role("heading", level=1)).to_have_text(title)
    expect(author_page.get_by_role("status").first).to_contain_text("Votre idée est envoyée")
    idea_path = re.search(r"/idees/\d+/$", author_page.url).group(0)
    history = author_page.get_by_role("region", name="Les étapes de l'idée")
    expect(history.get_by_role("listitem")).to_have_text([re.compile("En attente de modération")])
    expect(supports(author_page)).to_contain_text(figure("Nombre de soutiens : 0"))
    # Listening before anyone else acts (its state is asserted in test_pending_idea_...).
    author_page.live.wait_for(SOCKET, "proposal.snapshot")

    # Not public yet: the list does not show it to Marcel.
    marcel = personas("marcel")
    list_page = marcel.log_in(DEMO["marcel"])
    list_page.goto("/idees/")
    expect(list_page.get_by_role("heading", level=1)).to_have_text("Les idées du quartier")
    expect(list_page.get_by_role("link", name=title)).to_have_count(0)

    # --- Nadia publishes it from the idea page's "Réponse de la Régie" form.
    nadia = personas("manager")
    manager_page = nadia.log_in(DEMO["manager"])
    manager_page.goto(idea_path)
    staff = manager_page.get_by_role("region", name="Réponse de la Régie")
    staff.get_by_label("Nouvel état").select_option(label="Publiée")
    staff.get_by_label("Réponse publique").fill("Merci Amina, l'idée est ouverte aux soutiens.")
    staff.get_by_role("button", name="Enregistrer et publier la réponse").click()
    expect(facts(manager_page)).to_contain_text("État : Publiée")

    # Amina's page follows without reload.
    expect(facts(author_page)).to_contain_text("État : Publiée")

    # --- Marcel: the list (kept open in one tab) and the idea page (another tab).
    list_page.reload()
    card = list_page.get_by_role("listitem").filter(
        has=list_page.get_by_role("heading", name=title)
    )
    expect(card).to_contain_text("Publiée")
    expect(card).to_contain_text(figure("Soutiens : 0"))
    list_page.live.wait_for(SOCKET, "proposal.snapshot")

    idea_page = marcel.new_page()
    idea_page.goto("/idees/")
    idea_page.get_by_role("link", name=title).click()
    expect(idea_page.get_by_role("heading", level=1)).to_have_text(title)
    expect(supports(idea_page)).to_contain_text(figure("Nombre de soutiens : 0"))
    idea_page.get_by_role("button", name="Je soutiens cette idée").click()

    expect(idea_page.get_by_role("status").first).to_contain_text("Votre soutien est compté")
    expect(supports(idea_page)).to_contain_text(figure("Nombre de soutiens : 1"))
    expect(idea_page.get_by_role("button", name="Retirer mon soutien")).to_be_visible()

    # The pages opened before the support show it live: Amina's idea page, Marcel's list.
    expect(supports(author_page)).to_contain_text(figure("Nombre de soutiens : 1"))
    expect(card).to_contain_text(figure("Soutiens : 1"))
    expect(author_page.locator("#proposals-live-status")).to_have_text("Nombre de soutiens : 1")

    # --- Marcel comments.
    comment = "Bonne idée ! Je peux arroser le mercredi."
    idea_page.get_by_label("Votre commentaire").fill(comment)
    idea_page.get_by_role("button", name="Publier mon commentaire").click()
    comments = idea_page.get_by_role("region", name="Commentaires")
    expect(comments.get_by_role("article").filter(has_text=comment)).to_contain_text("Marcel D.")

    # --- Amina reloads and reads it, then stops and resumes following her idea.
    author_page.reload()
    author_comments = author_page.get_by_role("region", name="Commentaires")
    expect(author_comments.get_by_role("article").filter(has_text=comment)).to_contain_text(
        "Marcel D."
    )
    follow_box = supports(author_page)
    expect(follow_box).to_contain_text("Vous suivez cette idée")
    follow_box.get_by_role("button", name="Ne plus suivre").click()
    follow_button = follow_box.get_by_role("button", name=re.compile(r"^Suivre cette idée"))
    expect(follow_button).to_be_visible()
    expect(follow_box).not_to_contain_text("Vous suivez cette idée")
    follow_button.click()
    expect(follow_box.get_by_role("button", name="Ne plus suivre")).to_be_visible()
    expect(follow_box).to_contain_text("Vous suivez cette idée")


def test_pending_idea_page_keeps_its_state_for_its_author(personas, server):
    amina = personas("amina")
    page = amina.log_in(DEMO["amina"])
    page.goto("/idees/proposer/")
    page.get_by_label("Titre de votre idée").fill(f"Un abri vélo ({uuid.uuid4().hex[:6]})")
    page.get_by_label("Votre idée en quelques lignes").fill("Un abri pour ranger les vélos.")
    page.get_by_label("Thème").select_option(label="Mobilité")
    page.get_by_role("button", name="Envoyer mon idée").click()
    expect(page.get_by_role("status").first).to_contain_text("Votre idée est envoyée")

    page.live.wait_for(SOCKET, "proposal.snapshot")
    expect(facts(page)).to_contain_text("État : En attente de modération", timeout=1_000)
    expect(page.locator("#proposals-live-status")).to_be_empty(timeout=1_000)
