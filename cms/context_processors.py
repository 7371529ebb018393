"""The site header's navigation: only sections that exist are shown."""

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.agenda.models import EventIndexPage
from cms.models import NewsIndexPage

NAV_CACHE_KEY = "site-navigation-v2"
NAV_CACHE_SECONDS = 60


def _sections():
    """Section key → URL, for the sections that are live and public (cached, language-free)."""
    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        sections = {}
        news = NewsIndexPage.objects.live().public().first()
        url = news.get_url() if news is not None else None
        # A news index outside every site has no URL: then there is no section to show.
        if url:
            sections["news"] = url
        agenda = EventIndexPage.objects.live().public().first()
        url = agenda.get_url() if agenda is not None else None
        if url:
            sections["agenda"] = url
        cache.set(NAV_CACHE_KEY, sections, NAV_CACHE_SECONDS)
    return sections


def invalidate_navigation(*args, **kwargs):
    """Forget the cached sections: called when pages are published, unpublished, moved or
    deleted, and when view restrictions change (see ``cms.apps``)."""
    cache.delete(NAV_CACHE_KEY)


def _is_current(path, url):
    if url == "/":
        return path == "/"
    return path.startswith(url)


def site_navigation(request):
    sections = _sections()
    items = [("home", _("Accueil"), "/")]
    if "news" in sections:
        items.append(("news", _("Actualités"), sections["news"]))
    items.append(("proposals", _("Idées"), reverse("proposals:list")))
    items.append(("volunteering", _("Agir"), reverse("volunteering:list")))
    if "agenda" in sections:
        items.append(("agenda", _("Agenda"), sections["agenda"]))
    items.append(("assemblies", _("Assemblées"), reverse("assemblies:list")))
    return {
        "main_navigation": [
            {"key": key, "label": label, "url": url, "current": _is_current(request.path, url)}
            for key, label, url in items
        ]
    }
