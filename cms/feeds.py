"""RSS and Atom feeds of published news."""

import copy
import datetime
import uuid

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.timezone import get_default_timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from civic.links import absolute_url, installation_host, page_url
from civic.territory.models import Regie
from cms.models import NewsIndexPage, NewsPage


def article_datetime(day):
    """An article's date as an instant: local midnight of that day (``TIME_ZONE``)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=get_default_timezone())


def permanent_id(page):
    """An id that readers keep whatever address the feed was fetched from, and whatever
    the page's slug becomes (RFC 4287 §4.2.6: an id never changes)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{installation_host()}/page/{page.pk}").urn


class NewsRssFeed(Feed):
    title = _("Quartier Commun — actualités")
    description = _("Les dernières actualités de la Régie de quartier.")
    item_count = 30
    item_guid_is_permalink = False

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

    def _news_index(self, site):
        return self._in_site(NewsIndexPage.objects.live().public(), site).first()

    def link(self, site):
        index = self._news_index(site)
        return (index and page_url(index, self.request)) or absolute_url("/", self.request)

    def feed_url(self, site):
        return absolute_url(self.request.path, self.request)

    def feed_guid(self, site):
        index = self._news_index(site)
        return permanent_id(index) if index else absolute_url("/")

    def author_name(self, site):
        # The Régie runs the site and signs its news (Atom requires a feed author). With
        # no Régie recorded yet, the site's own name stands in.
        regie = Regie.objects.order_by("pk").first()
        if regie is not None:
            return regie.name
        return (site and site.site_name) or settings.WAGTAIL_SITE_NAME

    def items(self, site):
        return (
            self._in_site(NewsPage.objects.live().public(), site)
            .select_related("neighbourhood__regie")
            .order_by("-date", "-pk")[: self.item_count]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Readers take the description as HTML; the lead is plain text.
        return escape(item.lead)

    def item_link(self, item):
        return page_url(item, self.request)

    def item_guid(self, item):
        return permanent_id(item)

    def item_author_name(self, item):
        # News of one quartier is signed by that quartier's Régie; the others inherit the
        # feed's author.
        return item.neighbourhood.regie.name if item.neighbourhood_id else None

    def item_pubdate(self, item):
        # The date the editor gave the article, not when its page was first saved (an
        # imported or seeded article was saved long after its date).
        return article_datetime(item.date)

    def item_updateddate(self, item):
        # Atom requires an entry's ``updated``. It moves past the article's date only when
        # the page was published again after its first publication (a correction).
        published = article_datetime(item.date)
        first, last = item.first_published_at, item.last_published_at
        if first and last and last > first:
            return max(published, last)
        return published

    def item_categories(self, item):
        return [item.neighbourhood.name] if item.neighbourhood_id else []


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    subtitle = NewsRssFeed.description
