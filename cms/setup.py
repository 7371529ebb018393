"""The page tree every installation needs: a home page at the site root, a news index and
the agenda."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page, Site

from cms.agenda.models import EventIndexPage
from cms.models import HomePage, NewsIndexPage


def ensure_site(*, hostname="localhost", port=80, site_name="Quartier Commun"):
    """Create (once) the root page, the home page, the news index, the agenda and the
    default Site.

    Idempotent: running it again changes nothing. Replaces Wagtail's placeholder welcome
    page when it is still the site root. Page titles are content, in the site's language
    (French) whatever language is active when this runs.
    """
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _ensure_site(hostname=hostname, port=port, site_name=site_name)


def _ensure_site(*, hostname, port, site_name):
    Locale.objects.get_or_create(language_code="fr")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            title="Root", slug="root", locale=Locale.objects.get(language_code="fr")
        )

    home = HomePage.objects.first()
    if home is None:
        placeholder = root.get_children().filter(slug="home").first()
        if placeholder is not None and placeholder.specific_class is Page:
            # Wagtail's own welcome page: free its slug for ours.
            placeholder.delete()
            root.refresh_from_db()
        home = root.add_child(
            instance=HomePage(
                title=_("Bienvenue dans votre quartier"),
                slug="accueil",
                intro=_(
                    "Proposez des idées, donnez un coup de main et suivez la vie du quartier "
                    "avec la Régie."
                ),
            )
        )

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True, site_name=site_name
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site.site_name or site_name
        site.save()

    news_index = NewsIndexPage.objects.child_of(home).first()
    if news_index is None:
        news_index = home.add_child(
            instance=NewsIndexPage(
                title=_("Actualités"),
                slug="actualites",
                intro=_("Les nouvelles de la Régie et des quartiers."),
            )
        )
    _ensure_agenda(home)
    return home, news_index


def _ensure_agenda(home):
    # max_count = 1: one agenda for the whole site, wherever staff may have moved it.
    agenda = EventIndexPage.objects.first()
    if agenda is None:
        agenda = home.add_child(
            instance=EventIndexPage(
                title=_("Agenda"),
                slug="agenda",
                intro=_("Les rendez-vous de la Régie et des quartiers."),
            )
        )
    return agenda
