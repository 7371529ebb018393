"""Journey: the one agenda on a phone (390 px). A resident opens the agenda, filters it by
quartier (Les Tilleuls) and kind (coups de main, then everything), sees the Régie's weekly
permanence once, in words, and opens a shift's action — in under a minute, without
JavaScript too; nothing scrolls sideways, on the list and on the month view."""

import re
import time

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import ACTION_TIMEOUT_MS  # noqa: E402

ACTION = "Grand nettoyage de la place des Tilleuls"
PERMANENCE = "Permanence de la Régie"
WIDTH = 390


def _phone(browser, server, *, javascript=True):
    context = browser.new_context(
        base_url=server.origin,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": WIDTH, "height": 844},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


def _fits(page):
    # Measured once the page and its stylesheets have loaded, as a person sees it.
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_resident_filters_the_agenda_and_opens_a_shift(browser, server, javascript):
    began = time.monotonic()
    context = _phone(browser, server, javascript=javascript)
    try:
        page = context.new_page()
        page.goto("/agenda/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
        # The permanence once, in words, with its next date.
        permanence = page.get_by_role("link", name=PERMANENCE, exact=True)
        expect(permanence).to_have_count(1)
        expect(page.locator(".agenda-regular")).to_contain_text("Tous les mardis")
        expect(page.locator(".agenda-regular")).to_contain_text("Prochaine date")
        _fits(page)

        # Quartier and kind: a plain GET form.
        page.get_by_label("Quartier").select_option(label="Les Tilleuls")
        page.get_by_label("Quoi").select_option(label="Coups de main")
        page.get_by_role("button", name="Afficher").click()
        expect(page).to_have_url(re.compile(r"quartier=les-tilleuls.*quoi=coups-de-main"))
        expect(page.get_by_label("Quoi")).to_have_value("coups-de-main")
        expect(page.get_by_role("link", name=PERMANENCE)).to_have_count(0)
        shifts = page.locator(".agenda-entry--shift")
        expect(shifts.first).to_contain_text("place")
        _fits(page)

        # The month view keeps the filters and is a list of days on a phone.
        page.get_by_role("link", name="Vue par mois").click()
        expect(page).to_have_url(re.compile(r"/agenda/mois/\d{4}/\d{2}/\?quartier=les-tilleuls"))
        expect(page.get_by_label("Quoi")).to_have_value("coups-de-main")
        _fits(page)
        page.get_by_role("link", name="À venir").click()

        # Everything for Les Tilleuls: the permanence (for every quartier) is there once.
        page.get_by_label("Quoi").select_option(label="Tout")
        page.get_by_role("button", name="Afficher").click()
        expect(page.get_by_role("link", name=PERMANENCE, exact=True)).to_have_count(1)

        # Open a shift's action.
        page.locator(".agenda-entry--shift").first.get_by_role(
            "link", name=ACTION, exact=True
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(ACTION)
        assert re.search(r"/agir/\d+/$", page.url)
        _fits(page)
    finally:
        context.close()
    assert time.monotonic() - began < 60
