"""Demo events for ``seed_demo``: deterministic and idempotent (an event whose slug exists
is left alone), with dates relative to the day the command runs."""

from datetime import datetime, time, timedelta

from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images.models import Image

from civic import demo_art, demo_calendar
from cms.agenda.models import EventPage
from cms.agenda.recurrence import aware


def _at(day, hour, minute=0):
    return aware(datetime.combine(day, time(hour, minute)))


def _paragraph(text):
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def _events(today, neighbourhoods):
    # The Tuesday on or after four weeks ago: the permanence has already begun.
    first_tuesday = today - timedelta(days=28)
    first_tuesday += timedelta(days=(1 - first_tuesday.weekday()) % 7)
    # The party of the news and of the volunteers' set-up shift (civic.demo_calendar).
    party_day = demo_calendar.party_day(today)
    party = demo_calendar.party(party_day)
    garden = demo_calendar.garden(today + timedelta(days=10))
    open_day = today + timedelta(days=10)
    past_day = today - timedelta(days=20)
    return [
        {
            "title": "Permanence de la Régie",
            "slug": "permanence-de-la-regie",
            "summary": "Chaque mardi matin, sans rendez-vous : démarches, questions, idées.",
            "start": _at(first_tuesday, 9),
            "end": _at(first_tuesday, 12),
            "place": "Local de la Régie, 12 place des Tilleuls",
            "neighbourhood": None,
            "theme": "office",
            "repeat": EventPage.Repeat.WEEKLY,
            "repeat_weekdays": [1],
            "repeat_until": today + timedelta(days=182),
            "body": [
                _paragraph("Venez avec vos questions : l'équipe vous reçoit sans rendez-vous.")
            ],
        },
        {
            "title": party["title"],
            "slug": "fete-de-quartier-la-source",
            "summary": party["summary"],
            "start": _at(party_day, 12),
            "end": _at(party_day, 18),
            "place": party["place"],
            "theme": party["theme"],
            "neighbourhood": neighbourhoods.get("la-source"),
            "registration_enabled": True,
            "capacity": 40,
            "waitlist_enabled": True,
            "body": [_paragraph("Chacun apporte un plat ; la Régie offre les boissons.")],
        },
        {
            "title": "Portes ouvertes du jardin partagé",
            "slug": "portes-ouvertes-jardin-bel-air",
            "summary": "Deux jours pour découvrir le jardin, ses parcelles et ses jardiniers.",
            "start": _at(open_day, 0),
            "end": _at(open_day + timedelta(days=1), 0),
            "all_day": True,
            "place": "Jardin partagé de Bel-Air",
            "neighbourhood": neighbourhoods.get("bel-air"),
            "theme": garden["theme"],
            "body": [_paragraph(f"Visites libres et troc de graines. {garden['lead']}")],
        },
        {
            "title": "Réunion publique sur la propreté",
            "slug": "reunion-proprete-tilleuls",
            "summary": "Bilan du dernier grand nettoyage et prochaines actions.",
            "start": _at(past_day, 18, 30),
            "end": _at(past_day, 20, 30),
            "place": "Salle polyvalente des Tilleuls",
            "neighbourhood": neighbourhoods.get("les-tilleuls"),
            "body": [_paragraph("Compte rendu disponible à l'accueil de la Régie.")],
        },
    ]


def seed_events(*, index, neighbourhoods):
    """Publish the demo events under ``index`` (once)."""
    existing = set(EventPage.objects.child_of(index).values_list("slug", flat=True))
    created = []
    for fields in _events(timezone.localdate(), neighbourhoods):
        if fields["slug"] in existing:
            continue
        theme = fields.pop("theme", None)
        event = EventPage(**fields)
        if theme:
            image = Image(title=fields["title"])
            image.file = ImageFile(
                demo_art.illustration(theme, fields["slug"]), name=f"{fields['slug']}.jpg"
            )
            image.save()
            event.image, event.image_alt = image, demo_art.DESCRIPTIONS[theme]
        index.add_child(instance=event)
        event.save_revision().publish()
        created.append(event)
    return created
