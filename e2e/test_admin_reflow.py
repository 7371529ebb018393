"""The Régie's own staff pages under /admin/agir/ do not scroll sideways at 320 px (WCAG 2.1
1.4.10, Reflow): their tables become stacked rows on a phone. The same for the printable
roster. Nadia (the Régie's manager) opens them as a person would, from the actions list.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import DEMO  # noqa: E402

ACTION = "Grand nettoyage de la place des Tilleuls"
WIDTH = 320
# Wagtail's <main> hides what overflows it: a table cut off there does not widen the page,
# so its own width is measured too, and every table's right edge.
MEASURE = """() => {
    const main = document.querySelector("main");
    return {
        scrollWidth: Math.max(document.documentElement.scrollWidth, main ? main.scrollWidth : 0),
        innerWidth: window.innerWidth,
        tables: [...document.querySelectorAll("main table")]
            .filter((table) => table.checkVisibility())
            .map((table) => Math.round(table.getBoundingClientRect().right)),
        wide: [...document.querySelectorAll("main *")]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
                && el.checkVisibility())
            .slice(0, 5).map((el) => el.tagName.toLowerCase() + "." + el.className),
    };
}"""


def staff_pages(page):
    """The addresses of the pages, found from the actions list."""
    page.goto("/admin/agir/actions/")
    page.get_by_role("link", name=ACTION).first.click()
    page.wait_for_url(re.compile(r"/admin/agir/actions/\d+/creneaux/$"))
    shifts = page.url
    roster = page.locator("a[href*='/admin/agir/creneaux/'][href$='/liste/']").first
    roster_path = roster.get_attribute("href")
    shift = re.search(r"/creneaux/(\d+)/", roster_path).group(1)
    return {
        "actions": "/admin/agir/actions/",
        "shifts of an action": shifts,
        "roster": roster_path,
        "roster with a desk search": f"{roster_path}?q=a",
        "cancel a shift": f"/admin/agir/creneaux/{shift}/annuler/",
        "statistics": "/admin/agir/statistiques/",
        "certificates": "/admin/agir/attestations/?q=a",
        "printable roster": f"/admin/agir/creneaux/{shift}/imprimer/",
    }


@pytest.fixture(scope="module")
def measured(browser, server):
    context = browser.new_context(
        base_url=server.origin,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": WIDTH, "height": 800},
    )
    try:
        page = context.new_page()
        page.goto("/comptes/login/")
        page.get_by_label("E-mail").fill(DEMO["manager"])
        page.get_by_label("Mot de passe").fill("quartier-demo-2026")
        page.get_by_role("button", name="Connexion").click()
        expect(page).to_have_url(re.compile(r"/mon-compte/$"))
        results = {}
        for name, path in staff_pages(page).items():
            response = page.goto(path)
            assert response.status == 200, (name, path, response.status)
            results[name] = {"path": path, **page.evaluate(MEASURE)}
        return results
    finally:
        context.close()


NAMES = [
    "actions",
    "shifts of an action",
    "roster",
    "roster with a desk search",
    "cancel a shift",
    "statistics",
    "certificates",
    "printable roster",
]


@pytest.mark.parametrize("name", NAMES)
def test_staff_pages_do_not_scroll_sideways_at_320_px(measured, name):
    page = measured[name]
    assert page["innerWidth"] == WIDTH
    assert page["scrollWidth"] <= page["innerWidth"], f"{page['path']}: {page['wide']}"
    assert all(right <= WIDTH for right in page["tables"]), f"{page['path']}: {page['tables']}"
