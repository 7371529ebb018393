"""Load a demo neighbourhood: deterministic and idempotent (a second run adds nothing)."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from wagtail.images.models import Image
from wagtail.models import Site

from civic import demo_art, demo_calendar
from civic.accounts import roles
from civic.accounts.models import User
from civic.assemblies.demo import seed_assemblies
from civic.proposals.demo import seed_proposals
from civic.territory.models import Neighbourhood, Regie
from civic.volunteering.demo import seed_actions
from cms.agenda.demo import seed_events
from cms.agenda.models import EventIndexPage
from cms.demo_places import place_on_the_map
from cms.identity.models import RegieIdentity
from cms.models import NewsPage, StandardPage
from cms.setup import ensure_site

DEMO_PASSWORD = "quartier-demo-2026"  # noqa: S105 - published demo password  # nosec B105

NEIGHBOURHOODS = [
    ("Les Tilleuls", "les-tilleuls", "Le quartier autour de la place des Tilleuls et du marché."),
    ("Bel-Air", "bel-air", "Les tours et les jardins partagés du haut de la colline."),
    ("La Source", "la-source", "Le quartier de la rivière, de l'école et du centre social."),
]

PEOPLE = [
    # email, display name, neighbourhood slug, groups, is_superuser
    ("direction@demo.quartier-commun.fr", "Nadia (Régie)", "les-tilleuls", [roles.MANAGERS], False),
    ("redaction@demo.quartier-commun.fr", "Julien (Régie)", "les-tilleuls", [roles.EDITORS], False),
    ("amina@demo.quartier-commun.fr", "Amina B.", "les-tilleuls", [roles.RESIDENTS], False),
    ("marcel@demo.quartier-commun.fr", "Marcel D.", "bel-air", [roles.RESIDENTS], False),
    ("fatou@demo.quartier-commun.fr", "Fatou S.", "la-source", [roles.RESIDENTS], False),
    ("bailleur@demo.quartier-commun.fr", "Habitat Sud (bailleur)", None, [roles.PARTNERS], False),
]


def news(today):
    """The demo's news, worded for the season of ``today`` (title, quartier, lead, theme)."""
    garden = demo_calendar.garden(today)
    party_day = demo_calendar.party_day(today)
    party = demo_calendar.party(party_day)
    return [
        (
            "Grand nettoyage de la place des Tilleuls",
            "les-tilleuls",
            "Samedi matin, habitants et équipe de la Régie ramassent les déchets autour de la "
            "place. Gants et sacs fournis.",
            "clean",
        ),
        (
            "Le jardin partagé de Bel-Air cherche des bras",
            "bel-air",
            garden["lead"],
            garden["theme"],
        ),
        (
            "Permanence de la Régie : nouveaux horaires",
            None,
            "La permanence est ouverte le mardi de 9 h à 12 h, sans rendez-vous.",
            "office",
        ),
        (
            f"{party['title']} le {_french_date(party_day)}",
            "la-source",
            f"{party['summary']} Chacun apporte un plat.",
            party["theme"],
        ),
    ]


def _french_date(day):
    with translation.override("fr"):
        return date_format(day, "l j F")


def seed_identity(name):
    """The default site's identity: the Régie's name and a generated logo (once)."""
    identity = RegieIdentity.for_site(Site.objects.get(is_default_site=True))
    if identity.logo_id:
        return
    logo = Image(title=f"Logo — {name}")
    logo.file = ImageFile(demo_art.logo(), name="logo-regie.png")
    logo.save()
    identity.name, identity.logo, identity.favicon = name, logo, None
    identity.save()


def demo_image(title, theme):
    """A generated illustration of ``theme`` (civic.demo_art): nothing is downloaded."""
    return demo_art.illustration(theme, title)


def paragraph(text):
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


class Command(BaseCommand):
    help = "Load a demo Régie with three neighbourhoods, staff, residents and news (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        home, news_index = ensure_site()
        regie, _ = Regie.objects.get_or_create(
            name="Régie de quartier des Trois Rivières",
            defaults={
                "address": "12 place des Tilleuls",
                "postal_code": "31000",
                "city": "Toulouse",
                "email": "contact@demo.quartier-commun.fr",
                "phone": "05 61 00 00 00",
            },
        )
        neighbourhoods = {}
        for name, slug, description in NEIGHBOURHOODS:
            neighbourhoods[slug], _ = Neighbourhood.objects.get_or_create(
                slug=slug, defaults={"name": name, "regie": regie, "description": description}
            )

        for email, display_name, slug, groups, superuser in PEOPLE:
            user = User.objects.by_email(email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    display_name=display_name,
                    neighbourhood=neighbourhoods.get(slug),
                    is_superuser=superuser,
                )
                # The address is known: no confirmation email for demo accounts.
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            for group in groups:
                roles.add_to_group(user, group)

        if not NewsPage.objects.exists():
            today = timezone.localdate()
            for age, (title, slug, lead, theme) in enumerate(reversed(news(today))):
                image = Image(title=title)
                image.file = ImageFile(demo_image(title, theme), name=f"{slug or 'regie'}.jpg")
                image.save()
                article = NewsPage(
                    title=title,
                    date=today - timedelta(days=3 * age),
                    lead=lead,
                    neighbourhood=neighbourhoods.get(slug),
                    image=image,
                    image_alt=demo_art.DESCRIPTIONS[theme],
                    body=[
                        {"type": "heading", "value": {"text": "En bref", "level": "h2"}},
                        paragraph(lead),
                        {
                            "type": "quote",
                            "value": {
                                "text": "Le quartier, c'est nous qui le faisons vivre.",
                                "attribution": "Une habitante",
                            },
                        },
                    ],
                )
                news_index.add_child(instance=article)
                article.save_revision().publish()

        if not StandardPage.objects.filter(slug="la-regie").exists():
            about = StandardPage(
                title="La Régie de quartier",
                slug="la-regie",
                intro="Une association d'habitants, de la ville et des bailleurs.",
                body=[
                    paragraph(
                        "La Régie entretient le quartier, emploie des habitants et fait vivre "
                        "la participation de toutes et tous."
                    )
                ],
            )
            home.add_child(instance=about)
            about.save_revision().publish()

        manager = User.objects.get(email="direction@demo.quartier-commun.fr")
        seed_proposals(staff=manager)
        # After the ideas: the coming assembly discusses one of them.
        seed_assemblies(staff=manager, neighbourhoods=neighbourhoods)
        seed_actions(
            staff=manager,
            neighbourhoods=neighbourhoods,
            residents=[
                User.objects.get(email=f"{name}@demo.quartier-commun.fr")
                for name in ("amina", "marcel", "fatou")
            ],
        )

        seed_events(index=EventIndexPage.objects.get(), neighbourhoods=neighbourhoods)
        place_on_the_map()
        seed_identity(regie.name)

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for email, display_name, _slug, groups, _superuser in PEOPLE:
            self.stdout.write(f"  {email:40} {display_name} [{', '.join(groups)}]")
