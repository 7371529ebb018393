from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import seo
from cms import views as cms_views
from cms.feeds import NewsAtomFeed, NewsRssFeed

urlpatterns = [
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", seo.sitemap, name="sitemap"),
    path("favicon.ico", seo.favicon, name="favicon"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/proposals/", include("civic.proposals.api_urls")),
    path("api/volunteering/", include("civic.volunteering.api_urls")),
    path("api/assemblies/", include("civic.assemblies.api_urls")),
    path("api/", include("api.urls")),
    path("comptes/", include("allauth.urls")),
    path("mon-compte/", include("civic.accounts.urls")),
    path("idees/", include("civic.proposals.urls")),
    path("agir/", include("civic.volunteering.urls")),
    path("assemblees/", include("civic.assemblies.urls")),
    path("confidentialite/", include("civic.privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("recherche/", cms_views.search, name="search"),
    path("accessibilite/", cms_views.accessibility_statement, name="accessibility"),
    path("actualites/flux.rss", NewsRssFeed(), name="news_feed_rss"),
    path("actualites/flux.atom", NewsAtomFeed(), name="news_feed_atom"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # The agenda's calendar files (/agenda/agenda.ics): addresses Wagtail's routes can't serve.
    path("", include("cms.agenda.urls")),
    # The Régie's colour as a stylesheet (cms.identity).
    path("", include("cms.identity.urls")),
    # Everything else is a Wagtail page: keep last.
    path("", include(wagtail_urls)),
]

handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"
