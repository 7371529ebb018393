from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Pages du site")

    def ready(self):
        from cms import signals  # noqa: F401

        self.connect_navigation_cache()

    @staticmethod
    def connect_navigation_cache():
        """The header navigation is cached: forget it as soon as its sections may change."""
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageViewRestriction
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from cms.context_processors import invalidate_navigation
        from cms.models import NewsIndexPage

        receivers = [
            (page_published, NewsIndexPage),
            (page_unpublished, NewsIndexPage),
            (post_delete, NewsIndexPage),
            (page_slug_changed, None),
            (post_page_move, None),
            (post_save, PageViewRestriction),
            (post_delete, PageViewRestriction),
        ]
        for number, (signal, sender) in enumerate(receivers):
            signal.connect(invalidate_navigation, sender=sender, dispatch_uid=f"cms-nav-{number}")
