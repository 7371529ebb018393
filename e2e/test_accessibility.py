"""Accessibility: axe-core on every page type, live regions, keyboard-only journeys.

- **axe-core** (vendored, ``e2e/vendor/axe.min.js``) runs in each public and resident page
  type and in the staff pages that live outside Wagtail's own admin, with the WCAG 2.1 A and
  AA rules (tags ``wcag2a``, ``wcag2aa``, ``wcag21a``, ``wcag21aa``); a page passes with zero
  violations. Injecting a script needs ``bypass_csp``: only the contexts of these axe runs
  have it; the journeys (and the keyboard tests below) run under the real
  Content-Security-Policy.
- **Live regions**: every page that changes without reload has a region that screen
  readers hear (``aria-live``), next to what changes. The journeys check that the
  announcements are made (test_ideas, test_assemblies).
- **Keyboard only**: proposing an idea, signing up for a shift, voting in an assembly, with
  Tab, Shift+Tab, Enter and Space; every control reached shows a visible focus (an outline
  or a box-shadow) and the controls come in reading order.

The pages are found as a person would (following links from lists), so that the demo's ids
do not matter. The assembly in session comes from ``arrange_demo.py``.
"""

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402

from e2e.conftest import ACTION_TIMEOUT_MS, DEMO, DEMO_PASSWORD  # noqa: E402

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ESSAI = "Assemblée d'essai des Tilleuls (séance en cours)"  # arrange_demo.py
UPCOMING = "Assemblée de quartier des Tilleuls"
PAST = "Assemblée de quartier des Tilleuls — bilan de l'hiver"


# --- Finding the pages ------------------------------------------------------------------------


def follow(list_path, link, then=""):
    """A page reached from ``list_path`` by the link named ``link`` (+ ``then``)."""

    def find(page, links):
        if list_path not in links:  # one visit per list and visitor
            page.goto(list_path)
            links[list_path] = page.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll("main a[href]")]
                    .reverse().map((a) => [a.textContent.trim(), a.getAttribute("href")]))"""
            )
        assert link in links[list_path], f"no link {link!r} on {list_path}"
        return links[list_path][link] + then

    return find


def shift_tool(tool):
    """A staff tool of the first shift of the clean-up (/admin/agir/creneaux/<id>/…)."""

    def find(page, links):
        page.goto(follow("/agir/", "Grand nettoyage de la place des Tilleuls")(page, links))
        shift = page.locator("li.shift").first.get_attribute("data-shift-id")
        return f"/admin/agir/creneaux/{shift}/{tool}/"

    return find


def submitted(where, button, **fields):
    """The page at ``where`` after sending its form with ``fields`` (labels → values):
    the form as shown with its errors."""

    def act(page):
        for label, value in fields.items():
            page.get_by_label(label).fill(value)
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state("load")

    return (where, act)


PUBLIC_PAGES = {
    "home": "/",
    "news index": "/actualites/",
    "news page": follow("/actualites/", "Permanence de la Régie : nouveaux horaires"),
    "standard page": "/la-regie/",
    "ideas list": "/idees/",
    "idea page": follow("/idees/", "Des bancs autour de l'aire de jeux"),
    "actions list": "/agir/",
    "action page": follow("/agir/", "Grand nettoyage de la place des Tilleuls"),
    "assemblies list": "/assemblees/",
    "assembly page (past, results)": follow("/assemblees/", PAST),
    "assembly minutes": "/comptes-rendus/",
    "agenda": "/agenda/",
    "agenda event": follow("/agenda/", "Portes ouvertes du jardin partagé"),
    "search": "/recherche/?q=jardin",
    "login": "/comptes/login/",
    "login (wrong password)": submitted(
        "/comptes/login/", "Connexion", **{"E-mail": "x@example.org", "Mot de passe": "non"}
    ),
    "sign-up": "/comptes/signup/",
    "password reset": "/comptes/password/reset/",
    "not found (404)": "/cette-page-n-existe-pas/",
    "privacy": "/confidentialite/",
    "accessibility statement": "/accessibilite/",
}
RESIDENT_PAGES = {
    "idea page (resident)": follow("/idees/", "Des bancs autour de l'aire de jeux"),
    "propose an idea": "/idees/proposer/",
    "propose an idea (errors)": submitted("/idees/proposer/", "Envoyer mon idée"),
    "my ideas": "/idees/mes-idees/",
    "notifications": "/idees/notifications/",
    "action page (resident)": follow("/agir/", "Grand nettoyage de la place des Tilleuls"),
    "my shifts": "/agir/mes-creneaux/",
    "assembly page (registered, QR code)": follow("/assemblees/", UPCOMING),
    "assembly live session (open vote)": follow("/assemblees/", ESSAI, "seance/"),
    "my account": "/mon-compte/",
}
STAFF_PAGES = {
    "idea page (staff answer)": follow("/idees/", "Des bancs autour de l'aire de jeux"),
    "shift check-in (phone)": shift_tool("pointage"),
    "shift roster (print)": shift_tool("imprimer"),
    "assembly chair": follow("/assemblees/", ESSAI, "presidence/"),
    "assembly door": follow("/assemblees/", ESSAI, "accueil/"),
    "assembly projector": follow("/assemblees/", ESSAI, "projecteur/"),
    "privacy register": "/confidentialite/registre/",
}
WHO = {"public": None, "resident": "amina", "staff": "manager"}


# --- axe-core ---------------------------------------------------------------------------------

# Pages checked at the same time (each in its own tab): axe's work runs in parallel in the
# browser's processes, which keeps the whole run short.
BATCH = 8
# Each page that changes without reload: the regions that announce the changes.
LIVE_REGIONS = {
    "home": ["#live-status"],
    "ideas list": ["#proposals-live-status"],
    "idea page": ["#proposals-live-status"],
    "action page": ["#volunteering-live-status"],
    "assembly live session (open vote)": [
        "#assembly-live-polite",
        "#assembly-live-assertive",
        "[data-ballot-feedback]",
    ],
    "assembly chair": ["#assembly-live-polite", "#assembly-live-assertive"],
    "assembly projector": ["#assembly-live-polite", "#assembly-live-assertive"],
}
START_AXE = """(tags) => {
    window.__axeViolations = axe.run(document, {runOnly: {type: "tag", values: tags}})
        .then((results) => results.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
            nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
        })));
}"""
LIVE_FACTS = """(selectors) => {
    const isLive = (el) => ["polite", "assertive"].includes(el.getAttribute("aria-live"))
        || ["status", "alert", "log"].includes(el.getAttribute("role"));
    return {
        updated: document.querySelectorAll("[data-live], [data-live-region]").length,
        regions: [...document.querySelectorAll("[aria-live], [role=status], [role=alert]")]
            .filter(isLive).length,
        expected: selectors.map((selector) => {
            const found = [...document.querySelectorAll(selector)];
            return [selector, found.length, found.every(isLive)];
        }),
    };
}"""


def _new_context(browser, server):
    context = browser.new_context(
        base_url=server.origin,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,  # for axe only: the journeys keep the real policy
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    # In every document of these contexts, before the page's own scripts.
    context.add_init_script(path=str(AXE))
    return context


def _log_in(page, email):
    page.goto("/comptes/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(re.compile(r"/mon-compte/$"))


CASES = [
    *[("public", name, where) for name, where in PUBLIC_PAGES.items()],
    *[("resident", name, where) for name, where in RESIDENT_PAGES.items()],
    *[("staff", name, where) for name, where in STAFF_PAGES.items()],
]


@pytest.fixture(scope="module")
def checked_pages(browser, server):
    """Every page of CASES, as its visitor sees it: HTTP status, axe violations, live regions.

    One context per kind of visitor (logged in once); the pages of a batch load and run axe
    side by side, then their results are read."""
    contexts = {kind: _new_context(browser, server) for kind in WHO}
    try:
        finders = {}
        for kind, name in WHO.items():
            finders[kind] = contexts[kind].new_page()
            if name:
                _log_in(finders[kind], DEMO[name])
        targets = []
        links = {kind: {} for kind in WHO}
        for kind, name, where in CASES:
            where, act = where if isinstance(where, tuple) else (where, None)
            path = where(finders[kind], links[kind]) if callable(where) else where
            targets.append((kind, name, path, act))
        results = {}
        for start in range(0, len(targets), BATCH):
            batch = []
            for kind, name, path, act in targets[start : start + BATCH]:
                page = contexts[kind].new_page()
                response = page.goto(path, wait_until="commit")
                batch.append((name, path, page, response))
                if act:
                    page.wait_for_load_state("load")
                    act(page)
            for _name, _path, page, _response in batch:
                page.wait_for_load_state("load")
                page.evaluate(START_AXE, AXE_TAGS)
            for name, path, page, response in batch:
                results[name] = {
                    "path": path,
                    "status": response.status,
                    "violations": page.evaluate("() => window.__axeViolations"),
                    "live": page.evaluate(LIVE_FACTS, LIVE_REGIONS.get(name, [])),
                }
                page.close()
        yield results
    finally:
        for context in contexts.values():
            context.close()


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['url']}>")
        for node in v["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())[:300]
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", [name for _kind, name, _where in CASES])
def test_no_wcag_violation(checked_pages, name):
    page = checked_pages[name]
    expected = {"not found (404)": 404, "login (wrong password)": 200}.get(name, 200)
    assert page["status"] == expected, f"{page['path']}: HTTP {page['status']}"
    assert not page["violations"], f"{page['path']}:\n{describe(page['violations'])}"


def test_what_updates_live_is_announced(checked_pages):
    problems = []
    for name, page in checked_pages.items():
        live = page["live"]
        if live["updated"] and not live["regions"]:
            problems.append(f"{page['path']}: updated live, no aria-live region")
        for selector, count, all_live in live["expected"]:
            if not count:
                problems.append(f"{page['path']} ({name}): no {selector}")
            elif not all_live:
                problems.append(f"{page['path']} ({name}): {selector} is not a live region")
    assert set(LIVE_REGIONS) <= set(checked_pages)
    assert not problems, "\n".join(problems)


def test_statement_names_the_axe_version_and_is_in_the_footer(personas):
    page = personas("visitor").new_page()
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role(
        "link", name=re.compile(r"Accessibilité\s: partiellement conforme")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    main = page.get_by_role("main")
    expect(main).to_contain_text("partiellement conforme")
    version = re.search(r"axe v([\d.]+)", AXE.read_text(encoding="utf-8")[:200]).group(1)
    expect(main).to_contain_text(f"axe-core {version}")
    expect(main.get_by_role("heading", name="Voies de recours")).to_be_visible()
    expect(main).to_contain_text("Défenseur des droits")


# --- Keyboard only ----------------------------------------------------------------------------

FOCUS_SHOWN = """(el) => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return outline || (style.boxShadow && style.boxShadow !== "none");
}"""
DESCRIBE_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return "(body)"; }
    const label = el.labels && el.labels.length ? el.labels[0].textContent
        : (el.getAttribute("aria-label") || el.textContent || el.value || "");
    return el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "") + " "
        + label.replace(/\\s+/g, " ").trim().slice(0, 60);
}"""


class Keyboard:
    """Tab through a page, checking that every focused control shows its focus."""

    def __init__(self, page):
        self.page = page
        self.visited = []

    def tab_to(self, target, *, limit=80, key="Tab"):
        """Press Tab (or ``key``) until ``target`` (a locator) has the focus."""
        for _ in range(limit):
            self.page.keyboard.press(key)
            focused = self.page.evaluate(DESCRIBE_FOCUS)
            self.visited.append(focused)
            if self.page.evaluate("() => document.activeElement !== document.body"):
                shown = self.page.evaluate(f"() => ({FOCUS_SHOWN})(document.activeElement)")
                assert shown, f"no visible focus on {focused} ({self.page.url})"
            if target.evaluate("el => el === document.activeElement"):
                return self
        raise AssertionError(
            f"{target} never focused after {limit} × {key}; focus went: {self.visited[-limit:]}"
        )

    def type(self, text):
        self.page.keyboard.type(text)
        return self

    def press(self, key):
        self.page.keyboard.press(key)
        return self


def log_in_by_keyboard(page, email):
    page.goto("/comptes/login/")
    keys = Keyboard(page)
    keys.tab_to(page.get_by_label("E-mail")).type(email)
    keys.tab_to(page.get_by_label("Mot de passe")).type(DEMO_PASSWORD)
    keys.tab_to(page.get_by_role("button", name="Connexion")).press("Enter")
    expect(page).to_have_url(re.compile(r"/mon-compte/$"))


def test_keyboard_propose_an_idea(personas):
    page = personas("amina").new_page()
    log_in_by_keyboard(page, DEMO["amina"])
    page.goto("/idees/")
    keys = Keyboard(page)
    keys.tab_to(page.get_by_role("link", name="Proposer une idée").first).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    keys = Keyboard(page)
    title = page.get_by_label("Titre de votre idée")
    keys.tab_to(title).type("Un banc à l'ombre près de l'école (clavier)")
    # The controls come in reading order: each is the next stop after the previous one.
    keys.tab_to(page.get_by_label("Votre idée en quelques lignes"), limit=3).type(
        "Un banc sous le tilleul, pour les parents qui attendent la sortie."
    )
    theme = page.get_by_label("Thème")
    keys.tab_to(theme, limit=3)
    # A closed <select> changes with the arrow keys (no mouse, no list opened).
    page.keyboard.press("ArrowDown")
    expect(theme.locator("option:checked")).not_to_have_text(re.compile(r"^-*$"))
    # After the theme: quartier, place, the map (address search, the map itself, its zoom
    # and attribution links, "use my position", "set the point"), the photo and its text.
    keys.tab_to(page.get_by_role("button", name="Envoyer mon idée"), limit=20).press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Un banc à l'ombre près de l'école (clavier)"
    )
    expect(page.get_by_role("status").first).to_contain_text("Votre idée est envoyée")


def test_keyboard_sign_up_for_a_shift_and_cancel(personas):
    page = personas("amina").new_page()
    log_in_by_keyboard(page, DEMO["amina"])
    page.goto("/agir/")
    keys = Keyboard(page)
    keys.tab_to(page.get_by_role("link", name="Fête de quartier de La Source : installation"))
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fête de quartier de La Source : installation"
    )
    shift = page.get_by_role("region", name="Les créneaux").get_by_role("listitem").first
    Keyboard(page).tab_to(shift.get_by_role("button", name="Je m'inscris")).press("Enter")
    expect(shift).to_contain_text("Votre inscription est enregistrée.")

    # Cancelling: Shift+Tab from the end of the page walks back to the button.
    page.keyboard.press("End")
    cancel = shift.get_by_role("button", name="Me désinscrire")
    Keyboard(page).tab_to(cancel, key="Shift+Tab", limit=120).press("Space")
    expect(shift.get_by_role("button", name="Je m'inscris")).to_be_visible()


def test_keyboard_vote_in_an_assembly(personas):
    page = personas("amina").new_page()
    log_in_by_keyboard(page, DEMO["amina"])
    page.goto("/assemblees/")
    keys = Keyboard(page)
    keys.tab_to(page.get_by_role("link", name=ESSAI, exact=True)).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(ESSAI)
    keys = Keyboard(page)
    keys.tab_to(page.get_by_role("link", name="Suivre la séance en direct")).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("séance en direct")
    page.live.wait_for("/ws/assemblees/", "assembly.snapshot")  # votes go over the socket

    ballot = page.get_by_role("group", name="Votre vote")
    keys = Keyboard(page)
    # Tab enters the radio group; Space chooses the focused option.
    keys.tab_to(ballot.get_by_role("radio").first)
    for _ in range(3):
        if ballot.get_by_label("Pour", exact=True).evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(ballot.get_by_label("Pour", exact=True)).to_be_checked()
    keys.tab_to(ballot.get_by_role("button", name=re.compile("^(Voter|Changer mon vote)$")))
    keys.press("Enter")
    expect(ballot.get_by_role("status")).to_have_text("Vote enregistré.")
    expect(ballot).to_contain_text("Votre choix actuel : Pour")
