"""What search engines and link previews read: robots.txt, the sitemap, the favicon and
each page's description, Open Graph tags and canonical address.

Every address here is absolute and built on the address the person (or the crawler)
reached, through ``civic.links``: Wagtail's own ``get_full_url`` would write the ``Site``
record's hostname instead (see that module).
"""

from functools import cache
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap_view
from wagtail.images.models import SourceImageIOError

from civic.assemblies.models import Assembly
from civic.links import absolute_url, site_origin
from civic.proposals.models import Proposal
from civic.volunteering.models import Action

DESCRIPTION_LENGTH = 160
# Large enough for every link preview (Facebook, Mastodon, messaging apps), one file.
OG_IMAGE_FILTER = "fill-1200x630|format-jpeg|jpegquality-80"
CRAWL_CACHE_SECONDS = 3600
FAVICON_CACHE_SECONDS = 7 * 24 * 3600


# --- Sitemap ---------------------------------------------------------------------------------
class PageSitemap(WagtailSitemap):
    """Wagtail's live and public pages, on the address reached."""

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            # Wagtail writes the Site record's host: keep its path, on our origin.
            parts = urlsplit(url["location"])
            url["location"] = absolute_url(parts.path, self.request)
        return urls


class ProposalSitemap(Sitemap):
    """Published ideas that moderation has not hidden: what anyone may read."""

    def items(self):
        return Proposal.objects.public().order_by("pk").only("pk", "updated_at")

    def lastmod(self, proposal):
        return proposal.updated_at


class ActionSitemap(Sitemap):
    def items(self):
        return Action.objects.published().order_by("pk").only("pk")


class AssemblySitemap(Sitemap):
    def items(self):
        return Assembly.objects.published().order_by("pk").only("pk")


SITEMAPS = {
    "pages": PageSitemap,
    "idees": ProposalSitemap(),
    "actions": ActionSitemap(),
    "assemblees": AssemblySitemap(),
}


@require_http_methods(["GET", "HEAD"])
@cache_control(max_age=CRAWL_CACHE_SECONDS, public=True)
def sitemap(request):
    return wagtail_sitemap_view(request, sitemaps=SITEMAPS)


# --- robots.txt and favicon ----------------------------------------------------------------
@require_http_methods(["GET", "HEAD"])
@cache_control(max_age=CRAWL_CACHE_SECONDS, public=True)
def robots_txt(request):
    context = {"sitemap_url": absolute_url(reverse("sitemap"), request)}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


@cache
def _favicon_bytes():
    return (settings.BASE_DIR / "static" / "img" / "favicon.ico").read_bytes()


@require_http_methods(["GET", "HEAD"])
@cache_control(max_age=FAVICON_CACHE_SECONDS, public=True)
def favicon(request):
    """/favicon.ico, asked by browsers and feed readers whatever the page's <link> says."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")


# --- Per-page meta ---------------------------------------------------------------------------
def _short(text):
    text = " ".join((text or "").split())
    return Truncator(text).chars(DESCRIPTION_LENGTH) if text else ""


def _wagtail_image_url(image, request):
    if image is None:
        return None
    try:
        rendition = image.get_rendition(OG_IMAGE_FILTER)
    except SourceImageIOError:
        return None  # the original file is missing: the page still opens, without a preview
    return absolute_url(rendition.url, request)


def _file_url(field, request):
    return absolute_url(field.url, request) if field else None


def _page_meta(page, request):
    specific = getattr(page, "specific", page)
    description = (
        page.search_description
        or getattr(specific, "lead", "")
        or getattr(specific, "summary", "")
        or getattr(specific, "intro", "")
    )
    image = getattr(specific, "image", None)
    image_alt = getattr(specific, "image_alt", "") if image is not None else ""
    is_article = specific.__class__.__name__ == "NewsPage"
    return {
        "title": page.seo_title or page.title,
        "description": description,
        "image": _wagtail_image_url(image, request),
        "image_alt": image_alt,
        "type": "article" if is_article else "website",
    }


def _object_meta(context, request):
    """The idea, action or assembly this page is the public page of, if any."""
    for name, describe in (
        ("assembly", lambda a: (a.convocation, None, "")),
        ("action", lambda a: (a.description, _file_url(a.image, request), a.image_alt)),
        ("proposal", lambda p: (p.description, _file_url(p.photo, request), p.photo_alt)),
    ):
        obj = context.get(name)
        if obj is None or not hasattr(obj, "get_absolute_url"):
            continue
        if obj.get_absolute_url() != request.path:
            continue  # e.g. the idea an action came from, named on the action's page
        description, image, image_alt = describe(obj)
        return {
            "title": obj.title,
            "description": description,
            "image": image,
            "image_alt": image_alt if image else "",
        }
    return None


def _default_descriptions():
    return {
        "proposals:list": (
            _("Les idées du quartier"),
            _(
                "Les idées des habitants pour le quartier : lisez-les, soutenez-les, proposez la vôtre."
            ),
        ),
        "volunteering:list": (
            _("Agir dans le quartier"),
            _(
                "Les actions bénévoles du quartier : choisissez un créneau et venez donner un coup de main."
            ),
        ),
        "assemblies:list": (
            _("Assemblées de quartier"),
            _(
                "Les assemblées de quartier : les dates, l'ordre du jour, les votes et les comptes rendus."
            ),
        ),
        "search": (
            _("Rechercher"),
            _(
                "Retrouver une idée, une action, un événement, une assemblée ou une actualité du "
                "quartier."
            ),
        ),
        "accessibility": (
            _("Déclaration d'accessibilité"),
            _("Ce que nous faisons pour que le site soit utilisable par toutes et tous."),
        ),
    }


def _canonical_for_request(request):
    """The address of this page, keeping only the list's page number."""
    path = request.path
    number = request.GET.get("page", "")
    if number.isdigit() and number != "1":
        path = f"{path}?{urlencode({'page': number})}"
    return absolute_url(path, request)


def page_meta(context):
    """Title, description, image, type and canonical address of the page being rendered."""
    request = context.get("request")
    if request is None:
        return None
    site_name = settings.WAGTAIL_SITE_NAME
    meta = {"type": "website", "image": None, "canonical": _canonical_for_request(request)}
    page = context.get("page")
    found = _object_meta(context, request)
    if found is not None:
        meta.update(found)
    elif page is not None and hasattr(page, "search_description"):
        meta.update({key: value for key, value in _page_meta(page, request).items() if value})
    else:
        url_name = getattr(request.resolver_match, "view_name", None)
        title, description = _default_descriptions().get(url_name, (site_name, ""))
        meta.update({"title": title, "description": description})
    if not meta.get("description"):
        meta["description"] = _(
            "Quartier Commun : les habitants et la Régie de quartier construisent le quartier "
            "ensemble. Idées, actions bénévoles, agenda et assemblées."
        )
    meta["description"] = _short(meta["description"])
    meta["site_name"] = site_name
    meta["origin"] = site_origin(request)
    return meta
