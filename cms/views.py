from datetime import date

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from api.errors import error_body, json_not_found
from civic.privacy.views import contact as privacy_contact
from civic.web import paginate
from cms.search import MAX_QUERY_LENGTH, search_everything

SEARCH_PAGE_SIZE = 10


def search(request):
    """One search over ideas, actions, events, assemblies, news and pages (cms/search.py)."""
    outcome = search_everything(
        request=request, query=request.GET.get("q", ""), kind=request.GET.get("type")
    )
    page_obj = paginate(request, outcome.results, SEARCH_PAGE_SIZE)
    return TemplateResponse(
        request,
        "cms/search.html",
        {
            "query": outcome.query,
            "outcome": outcome,
            "page_obj": page_obj,
            "results": page_obj,
            "max_query_length": MAX_QUERY_LENGTH,
        },
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
