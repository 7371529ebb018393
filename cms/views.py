import re
from datetime import date

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from wagtail.models import Page, Site

from api.errors import error_body, json_not_found
from civic.privacy.views import contact as privacy_contact
from cms.pagination import paginate

SEARCH_PAGE_SIZE = 10
MAX_QUERY_LENGTH = 200
# Control characters (NUL included) are never part of a search and some databases refuse them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")
WORD = re.compile(r"\w+")


def clean_query(raw):
    """The query as shown back in the search box: bounded, without control characters."""
    return CONTROL_CHARACTERS.sub(" ", raw or "")[:MAX_QUERY_LENGTH].strip()


def search_terms(query):
    """Only the words of the query go to the search backend: quotes, brackets and other
    operators are full-text syntax for the database (SQLite FTS5 fails on a lone ``"``)."""
    return " ".join(WORD.findall(query))


def searchable_pages(request):
    """Live, public pages of the site asked for (never the tree's root, never another site)."""
    site = Site.find_for_request(request)
    if site is None:
        return Page.objects.none()
    return Page.objects.live().public().descendant_of(site.root_page, inclusive=True)


def search(request):
    query = clean_query(request.GET.get("q", ""))
    terms = search_terms(query)
    results = searchable_pages(request).specific().search(terms) if terms else Page.objects.none()
    page_obj = paginate(request, results, SEARCH_PAGE_SIZE)
    return TemplateResponse(
        request, "cms/search.html", {"query": query, "page_obj": page_obj, "results": page_obj}
    )


def _wants_json(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _wants_json(request):
        return json_not_found()
    return render(request, "404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse(error_body("server_error", "Server error."), status=500)
    # No request context: the context processors may need the database that just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


# What the accessibility statement reports: the last automated and keyboard checks
# (e2e/test_accessibility.py, which also checks that the axe-core version below is the one
# it injects). Update these when the checks are run again on a new version.
ACCESSIBILITY_CHECKS = {
    "date": date(2026, 11, 27),
    "axe_version": "4.14.1",
    "browser": "Chromium 156 (Debian 12)",
    "pages": [
        _("Accueil et actualités (liste et article)"),
        _("Idées : liste, page d'une idée, formulaire « Proposer une idée », « Mes idées »"),
        _("Agir : liste des actions, page d'une action, « Mes créneaux »"),
        _("Assemblées : liste, page d'une assemblée, séance en direct"),
        _("Agenda : liste et page d'un événement"),
        _("Recherche"),
        _("Connexion, création de compte, mot de passe oublié, « Mon compte »"),
        _("Vos données personnelles, cette déclaration, page introuvable"),
        _(
            "Pages de l'équipe de la Régie hors administration Wagtail : outils des "
            "bénévoles, accueil, présidence et écran de projection des assemblées"
        ),
    ],
}


@require_GET
def accessibility_statement(request):
    """The accessibility statement, in the form the RGAA asks for."""
    return render(
        request,
        "accessibility.html",
        # Who to write to: the Régie, as on the privacy page.
        {"checks": ACCESSIBILITY_CHECKS, "contact": privacy_contact()},
    )
