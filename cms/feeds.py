"""RSS and Atom feeds of published news."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.models import NewsIndexPage, NewsPage


class NewsRssFeed(Feed):
    title = _("Quartier Commun — actualités")
    description = _("Les dernières actualités de la Régie de quartier.")
    item_count = 30

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return Site.find_for_request(request)

    def link(self, site):
        index = NewsIndexPage.objects.live().first()
        return index.get_url(self.request) if index else "/"

    def items(self, site):
        return (
            NewsPage.objects.live()
            .public()
            .select_related("neighbourhood")
            .order_by("-date", "-pk")[: self.item_count]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

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
