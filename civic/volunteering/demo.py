"""Demo volunteer actions for seed_demo: a clean-up, a weekly garden shift, a festivity."""

from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from civic import demo_art, demo_calendar
from civic.volunteering import services
from civic.volunteering.models import Action


def _next_weekday(weekday, hour, weeks_ahead=0):
    today = timezone.localdate()
    days = (weekday - today.weekday()) % 7 or 7
    day = today + timedelta(days=days + 7 * weeks_ahead)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def seed_actions(*, staff, neighbourhoods, residents):
    if Action.objects.exists():
        return 0
    clean_up = services.create_action(
        actor=staff,
        title="Grand nettoyage de la place des Tilleuls",
        description="On ramasse les déchets autour de la place et du square, en musique.",
        neighbourhood=neighbourhoods["les-tilleuls"],
        meeting_place="Devant la Régie, 12 place des Tilleuls",
        what_to_bring="Des chaussures fermées. Gants et sacs fournis.",
        skills_welcome="Aucune : venez comme vous êtes.",
    )
    saturday = _next_weekday(5, 10)
    services.add_shift(
        actor=staff,
        action=clean_up,
        starts_at=saturday,
        ends_at=saturday + timedelta(hours=2),
        capacity=2,
    )
    services.add_shift(
        actor=staff,
        action=clean_up,
        starts_at=saturday,
        ends_at=saturday + timedelta(hours=2),
        capacity=1,
        role="accueil",
    )

    season = demo_calendar.garden(timezone.localdate())
    garden = services.create_action(
        actor=staff,
        title=season["title"],
        description="Chaque samedi matin, on s'occupe du jardin partagé ensemble.",
        neighbourhood=neighbourhoods["bel-air"],
        meeting_place="Jardin partagé, au pied de la tour B",
        what_to_bring=season["bring"],
        skills_welcome="Jardinage, bricolage.",
    )
    services.add_repeating_shifts(
        actor=staff,
        action=garden,
        first_starts_at=_next_weekday(5, 9),
        duration=timedelta(hours=2),
        every_days=7,
        count=8,
        capacity=6,
    )

    party_day = demo_calendar.party_day(timezone.localdate())
    party_words = demo_calendar.party(party_day)
    party = services.create_action(
        actor=staff,
        title=f"{party_words['title']} : installation",
        description="Monter les tables, les barnums et la décoration avant la fête.",
        neighbourhood=neighbourhoods["la-source"],
        meeting_place="Parvis de l'école de La Source",
        what_to_bring="De la bonne humeur.",
    )
    # The morning of the party (cms.agenda.demo: it starts at noon).
    set_up = timezone.make_aware(datetime(party_day.year, party_day.month, party_day.day, 9, 0))
    services.add_shift(
        actor=staff,
        action=party,
        starts_at=set_up,
        ends_at=set_up + timedelta(hours=3),
        capacity=8,
        role="encadrant",
    )

    # Generated illustrations (civic.demo_art), described as the admin form requires (staff
    # can save a demo action as it is).
    for action, theme in (
        (clean_up, "clean"),
        (garden, season["theme"]),
        (party, party_words["theme"]),
    ):
        action.image_alt = demo_art.DESCRIPTIONS.get(theme, demo_art.DESCRIPTIONS["meeting"])
        action.image.save(
            f"action-{action.pk}.jpg",
            ContentFile(demo_art.illustration(theme, action.title).read()),
        )

    # The first clean-up shift is full with one person waiting: the waitlist is visible.
    first_shift = clean_up.shifts.order_by("pk").first()
    for resident in residents:
        services.sign_up(shift=first_shift, actor=resident)
    return 3
