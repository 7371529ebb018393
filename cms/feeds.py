"""RSS and Atom feeds of published news."""

import copy

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.models import NewsIndexPage, NewsPage


class NewsRssFeed(Feed):
    title = _("Quartier Commun — actualités")
    description = _("Les dernières actualités de la Régie de quartier.")
    item_count = 30

    def __call__(self, request, *args, **kwargs):
        # The URLconf builds one instance that serves every request, in several threads:
        # the request is kept on a copy made for this request, never on the shared instance.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return Site.find_for_request(request)

    def _in_site(self, queryset, site):
        return queryset.descendant_of(site.root_page, inclusive=True) if site else queryset

    def link(self, site):
        index = self._in_site(NewsIndexPage.objects.live().public(), site).first()
        url = index.get_url(self.request) if index else None
        return url or "/"

    def items(self, site):
        return (
            self._in_site(NewsPage.objects.live().public(), site)
            .select_related("neighbourhood")
            .order_by("-date", "-pk")[: self.item_count]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Readers take the description as HTML; the lead is plain text.
        return escape(item.lead)

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [item.neighbourhood.name] if item.neighbourhood_id else []


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    subtitle = NewsRssFeed.description
