from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "cms.agenda"
    label = "agenda"
    verbose_name = _("Agenda")

    def ready(self):
        self.connect_navigation_cache()
        self.connect_account_closing()

    @staticmethod
    def connect_account_closing():
        """A deleted account's places on event dates go to the waitlist, not lost."""
        from civic.accounts.signals import account_closing
        from cms.agenda.services import release_places_of_departing_resident

        def release(sender, *, user, now, **kwargs):
            release_places_of_departing_resident(user=user, now=now)

        account_closing.connect(release, weak=False, dispatch_uid="agenda-release-places")

    @staticmethod
    def connect_navigation_cache():
        """The header shows "Agenda" while its page is live: forget the cached navigation
        when that changes (moves, slugs and view restrictions are handled by ``cms.apps``)."""
        from django.db.models.signals import post_delete
        from wagtail.signals import page_published, page_unpublished

        from cms.agenda.models import EventIndexPage
        from cms.context_processors import invalidate_navigation

        receivers = [
            (page_published, EventIndexPage),
            (page_unpublished, EventIndexPage),
            (post_delete, EventIndexPage),
        ]
        for number, (signal, sender) in enumerate(receivers):
            signal.connect(
                invalidate_navigation, sender=sender, dispatch_uid=f"agenda-nav-{number}"
            )
