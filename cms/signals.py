"""Wagtail publishes pages from several places (the editor, workflow approval, scheduled
publishing); its ``page_published`` signal is the one hook they all share, so the
"news published" broadcast is attached there."""

from wagtail.signals import page_published

from cms import services
from cms.models import NewsPage


def on_news_published(sender, instance, revision, alias=False, **kwargs):
    # Publishing a page also republishes its aliases (same article, another place in the
    # tree), each with its own signal: the article is announced once, for the original.
    if alias:
        return
    services.announce_news_published(instance)


page_published.connect(on_news_published, sender=NewsPage)
