"""Phone first: at 320 and 390 px wide no page scrolls sideways (WCAG 2.1 1.4.10, Reflow),
the header is one row, and its "Menu" button opens the links, with JavaScript and without.

One browser context per width (signed in as the Régie's manager, who sees every page type,
the door and the chair included) and one without JavaScript. The pages are found as a
person would, by following links from lists (see test_accessibility.follow).
"""

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import ACTION_TIMEOUT_MS, DEMO  # noqa: E402
from e2e.test_accessibility import ESSAI, _log_in, follow  # noqa: E402

WIDTHS = (320, 390)
# A one-row header: the name and the Menu button, 44 px high, with its padding.
HEADER_MAX_HEIGHT = 64
PAGES = {
    "home": "/",
    "news list": "/actualites/",
    "article": follow("/actualites/", "Permanence de la Régie : nouveaux horaires"),
    "ideas list": "/idees/",
    "idea": follow("/idees/", "Des bancs autour de l'aire de jeux"),
    "idea form": "/idees/proposer/",
    "actions list": "/agir/",
    "action": follow("/agir/", "Grand nettoyage de la place des Tilleuls"),
    "agenda (list)": "/agenda/",
    "agenda (month)": follow("/agenda/", "Vue par mois"),
    "event": follow("/agenda/", "Portes ouvertes du jardin partagé"),
    "assemblies list": "/assemblees/",
    "assembly": follow("/assemblees/", ESSAI),
    "member's live page": follow("/assemblees/", ESSAI, "seance/"),
    "door check-in": follow("/assemblees/", ESSAI, "accueil/"),
    "chair": follow("/assemblees/", ESSAI, "presidence/"),
    "my account": "/mon-compte/",
    "my registrations": "/mon-compte/inscriptions/",
    "my shifts": "/agir/mes-creneaux/",
    "ideas map": "/idees/carte/",
    "search": "/recherche/?q=jardin",
}
PUBLIC_PAGES = {"login": "/comptes/login/"}
MEASURE = """() => {
    const header = document.querySelector(".site-header");
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        header: header ? header.getBoundingClientRect().height : null,
        wide: [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
                && el.checkVisibility())
            .slice(0, 5).map((el) => el.tagName.toLowerCase() + "." + el.className),
        // Primary buttons in the page's content: at least 44 × 44 px (WCAG 2.5.5 target size).
        smallButtons: [...document.querySelectorAll(
            "main button:not(.secondary):not(.link), main a.button:not(.secondary), "
            + "main input[type=submit]")]
            .filter((el) => el.checkVisibility())
            .map((el) => [el.textContent.trim().slice(0, 40), el.getBoundingClientRect()])
            .filter(([, box]) => box.height < 44 || box.width < 44)
            .slice(0, 5).map(([text, box]) => `${text} (${Math.round(box.width)}×${Math.round(box.height)})`),
    };
}"""


def _context(browser, server, width, *, javascript=True):
    context = browser.new_context(
        base_url=server.origin,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": width, "height": 844},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


@pytest.fixture(scope="module")
def measured(browser, server):
    """For each width and page: its widths and header height, as the manager sees it."""
    results = {}
    for width in WIDTHS:
        contexts = [_context(browser, server, width), _context(browser, server, width)]
        try:
            signed_in, public = contexts
            page = signed_in.new_page()
            _log_in(page, DEMO["manager"])
            links = {}
            paths = {
                name: where(page, links) if callable(where) else where
                for name, where in PAGES.items()
            }
            for pages, context in ((paths, signed_in), (PUBLIC_PAGES, public)):
                visit = context.new_page()
                for name, path in pages.items():
                    visit.goto(path)
                    results[(width, name)] = {"path": path, **visit.evaluate(MEASURE)}
        finally:
            for context in contexts:
                context.close()
    return results


CASES = [(width, name) for width in WIDTHS for name in [*PAGES, *PUBLIC_PAGES]]


@pytest.mark.parametrize(("width", "name"), CASES, ids=[f"{w}px-{n}" for w, n in CASES])
def test_nothing_scrolls_sideways_and_the_header_is_one_row(measured, width, name):
    page = measured[(width, name)]
    assert page["innerWidth"] == width
    assert page["scrollWidth"] <= page["innerWidth"], (
        f"{page['path']} at {width} px: {page['wide']}"
    )
    assert page["header"] is not None and page["header"] <= HEADER_MAX_HEIGHT, (
        f"{page['path']} at {width} px: header {page['header']} px high"
    )
    assert page["smallButtons"] == [], f"{page['path']} at {width} px: {page['smallButtons']}"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_menu_button_opens_the_links(browser, server, javascript):
    context = _context(browser, server, 320, javascript=javascript)
    try:
        page = context.new_page()
        page.goto("/")
        menu = page.locator(".site-header summary")
        expect(menu).to_have_accessible_name("Menu")
        box = menu.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
        ideas = page.locator(".site-header").get_by_role("link", name="Idées", exact=True)
        login = page.locator(".site-header").get_by_role("link", name="Se connecter")
        expect(ideas).to_be_hidden()
        menu.click()
        expect(ideas).to_be_visible()
        expect(login).to_be_visible()
        expect(page.locator(".site-header").get_by_label("Langue")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        menu.click()
        expect(ideas).to_be_hidden()
        # Wide screens show the navigation without the button.
        page.set_viewport_size({"width": 1280, "height": 900})
        expect(menu).to_be_hidden()
        expect(ideas).to_be_visible()
    finally:
        context.close()
