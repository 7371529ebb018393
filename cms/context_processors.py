"""The site header's navigation: only sections that exist are shown."""

from django.core.cache import cache
from django.utils.translation import gettext as _

from cms.models import NewsIndexPage

NAV_CACHE_KEY = "site-navigation-v1"


def _sections():
    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        sections = {}
        news = NewsIndexPage.objects.live().public().only("url_path").first()
        if news is not None:
            sections["news"] = news.get_url()
        cache.set(NAV_CACHE_KEY, sections, 60)
    return sections


def site_navigation(request):
    sections = _sections()
    items = [("home", _("Accueil"), "/")]
    if "news" in sections:
        items.append(("news", _("Actualités"), sections["news"]))
    # Idées, Agir and Agenda join this list when their sections exist.
    current = request.path
    nav = []
    for key, label, url in items:
        is_current = current == url if url == "/" else current.startswith(url)
        nav.append({"key": key, "label": label, "url": url, "current": is_current})
    return {"main_navigation": nav}
