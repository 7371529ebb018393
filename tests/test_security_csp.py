"""The Content-Security-Policy: on every page outside the admins, and nothing inline that it
would block (scripts, event handlers, style attributes or blocks) in our templates or pages."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import cache

from civic.volunteering import services as volunteering_services
from tests.assemblies_factories import close, make_assembly, open_vote, present_member, vote
from tests.factories import ActionFactory, ProposalFactory, ShiftFactory

ROOT = Path(__file__).resolve().parent.parent
CSP = "Content-Security-Policy"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def directives(response):
    policy = response.headers[CSP]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


class _InlineFinder(HTMLParser):
    """Everything a strict policy blocks: inline <script> (JSON data blocks are fine: never
    executed), <style> blocks, on*= handlers, style= attributes, javascript: links."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            if attributes.get("type") != "application/json":
                self.found.append(f"inline <script> {attrs}")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_content(markup):
    finder = _InlineFinder()
    finder.feed(markup)
    return finder.found


def assert_strict(response):
    assert CSP in response.headers, response.request["PATH_INFO"]
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "'self'" in policy["connect-src"]
    assert "'unsafe-inline'" not in response.headers[CSP]
    assert "'unsafe-eval'" not in response.headers[CSP]
    assert inline_content(response.content.decode()) == [], response.request["PATH_INFO"]


# --- The header and the rendered pages ----------------------------------------------------------


@pytest.fixture
def assembly_with_result(manager, tilleuls, resident):
    assembly = make_assembly(manager, tilleuls, items=["Budget"])
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    vote(resident, motion, "for")
    close(motion, manager)
    # A second vote, still open: the live pages show ballots and counts.
    open_vote(assembly, manager, "Un jardin partagé ?")
    return assembly


@pytest.fixture
def shift_with_volunteer(resident, tilleuls):
    shift = ShiftFactory(action=ActionFactory(neighbourhood=tilleuls, is_published=True))
    volunteering_services.sign_up(shift=shift, actor=resident)
    return shift


def test_public_pages_have_the_strict_policy_and_nothing_inline(
    client, site_tree, resident, tilleuls, assembly_with_result, shift_with_volunteer
):
    proposal = ProposalFactory(author=resident)
    assembly = assembly_with_result
    for path in (
        "/",
        "/idees/",
        f"/idees/{proposal.pk}/",
        "/agir/",
        f"/agir/{shift_with_volunteer.action_id}/",
        "/assemblees/",
        f"/assemblees/{assembly.pk}/",
        "/confidentialite/",
        "/recherche/?q=banc",
        "/comptes/login/",
        "/comptes/signup/",
        "/comptes/password/reset/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)


def test_not_found_and_forbidden_pages_have_it_too(client, site_tree, resident):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert_strict(response)
    response = client.get("/api/nothing-here/")
    assert response.status_code == 404
    assert CSP in response.headers  # JSON: nothing to run, the header costs nothing


def test_resident_pages_have_the_strict_policy_and_nothing_inline(
    client, site_tree, resident, assembly_with_result, shift_with_volunteer
):
    client.force_login(resident)
    for path in (
        "/idees/mes-idees/",
        "/idees/proposer/",
        "/agir/mes-creneaux/",
        f"/assemblees/{assembly_with_result.pk}/",
        f"/assemblees/{assembly_with_result.pk}/seance/",
        "/mon-compte/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)


def test_staff_pages_outside_wagtail_have_the_strict_policy(
    client, site_tree, manager, assembly_with_result, shift_with_volunteer
):
    client.force_login(manager)
    assembly = assembly_with_result
    signup = shift_with_volunteer.signups.get()
    for path in (
        f"/assemblees/{assembly.pk}/presidence/",
        f"/assemblees/{assembly.pk}/accueil/",
        f"/assemblees/{assembly.pk}/projecteur/",
        # Ours, served under Wagtail's admin URLs (CSP_STRICT_VIEW_NAMES).
        f"/admin/agir/creneaux/{shift_with_volunteer.pk}/pointage/",
        f"/admin/agir/creneaux/{shift_with_volunteer.pk}/imprimer/",
        f"/admin/agir/attestations/compte/{signup.user_id}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)


def test_the_admins_are_left_out_of_the_policy(client, site_tree, manager):
    """Wagtail's and Django's admins render inline scripts and styles of their own."""
    client.force_login(manager)
    assert CSP not in client.get("/admin/").headers
    assert CSP not in client.get("/django-admin/login/").headers


def test_live_pages_may_open_their_websocket(client, site_tree, resident, assembly_with_result):
    client.force_login(resident)
    response = client.get(f"/assemblees/{assembly_with_result.pk}/seance/")
    assert "ws://testserver" in directives(response)["connect-src"]
    response = client.get(
        f"/assemblees/{assembly_with_result.pk}/seance/", secure=True, follow=False
    )
    assert "wss://testserver" in directives(response)["connect-src"]


def test_result_bars_are_native_progress_elements(client, site_tree, manager, assembly_with_result):
    client.force_login(manager)
    html = client.get(f"/assemblees/{assembly_with_result.pk}/presidence/").content.decode()
    assert re.search(r'<progress class="bar" max="100" value="100"', html)


def test_the_scanner_finds_what_the_policy_blocks():
    found = inline_content(
        '<script>alert(1)</script><script type="application/json">{}</script>'
        '<script src="/static/x.js"></script><button onclick="go()">x</button>'
        '<span style="width: 3%"></span><style>p{}</style><a href="javascript:go()">x</a>'
    )
    assert len(found) == 5


# --- The templates ------------------------------------------------------------------------------


def our_templates():
    """Every HTML template of ours that the public, residents or staff pages render: those of
    Wagtail's admin (templates under an ``admin`` folder) run without the policy."""
    for folder in ("civic", "cms", "templates", "api"):
        for path in sorted((ROOT / folder).rglob("*.html")):
            relative = path.relative_to(ROOT)
            if "admin" in relative.parts[:-1] or "wagtailadmin" in str(relative):
                continue
            yield relative


INLINE_IN_TEMPLATE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "style block"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_outside_the_admin_has_anything_inline():
    templates = list(our_templates())
    assert len(templates) > 50
    problems = []
    for relative in templates:
        text = (ROOT / relative).read_text(encoding="utf-8")
        # json_script output is written by a filter, not in the template: nothing to skip.
        for pattern, what in INLINE_IN_TEMPLATE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{relative}:{line}: {what}")
    assert problems == []
