"""Demo assemblies for seed_demo, in Les Tilleuls: one coming up (registrations open) and
one held a month ago, with its votes, results and published minutes.

Everything goes through the services (the rules apply); the past session is then moved back
in time by updating its dates. Idempotent: an assembly already there (by title) is left as
it is.
"""

from datetime import timedelta

from django.utils import timezone

from civic.assemblies import minutes, services
from civic.assemblies.models import (
    Assembly,
    Ballot,
    MotionKind,
    MotionOption,
    Participant,
    QuorumKind,
)

UPCOMING_TITLE = "Assemblée de quartier des Tilleuls"
PAST_TITLE = "Assemblée de quartier des Tilleuls — bilan de l'hiver"
PLACE = "Salle polyvalente, 3 place des Tilleuls"
PARTNER_EMAIL = "bailleur@demo.quartier-commun.fr"
DEMO_IDEA = "Des bancs autour de l'aire de jeux"

CONVOCATION = (
    "Bonjour à toutes et à tous,\n\n"
    "Vous êtes invités à l'assemblée de quartier des Tilleuls. On fera le point sur les "
    "idées des habitants, on parlera de la fête de quartier et on votera ensemble.\n\n"
    "Tout le monde peut venir. Pour voter, inscrivez-vous et passez à l'accueil en arrivant. "
    "Si vous ne pouvez pas venir, vous pouvez donner procuration à une personne présente.\n\n"
    "Un goûter est offert à la fin. À bientôt !"
)
COLLEGES = [("Habitants", 2), ("Collectivités", 1), ("Bailleurs", 1)]
# Residents of Les Tilleuls who came to the past assembly (no login: attendees only).
ATTENDEES = [
    ("karim@demo.quartier-commun.fr", "Karim T."),
    ("lucie@demo.quartier-commun.fr", "Lucie M."),
]


def seed_assemblies(*, staff, neighbourhoods):
    """Returns the number of assemblies created (0 on a second run)."""
    tilleuls = neighbourhoods["les-tilleuls"]
    created = 0
    if not Assembly.objects.filter(neighbourhood=tilleuls, title=UPCOMING_TITLE).exists():
        _upcoming(staff, tilleuls)
        created += 1
    if not Assembly.objects.filter(neighbourhood=tilleuls, title=PAST_TITLE).exists():
        _past(staff, tilleuls)
        created += 1
    return created


def _user(email):
    from civic.accounts.models import User

    return User.objects.by_email(email).first()


def _rules():
    return {
        "place": PLACE,
        "convocation": CONVOCATION,
        "is_published": True,
        "quorum_kind": QuorumKind.SHARE,
        "quorum_value": 20,
        "majority": "simple",
        "use_colleges": True,
    }


def _upcoming(staff, tilleuls):
    from civic.proposals.models import Proposal

    starts_at = timezone.localtime().replace(
        hour=18, minute=30, second=0, microsecond=0
    ) + timedelta(days=10)
    idea = Proposal.objects.filter(title=DEMO_IDEA, neighbourhood=tilleuls).first()
    assembly = services.create_assembly(
        actor=staff,
        neighbourhood=tilleuls,
        title=UPCOMING_TITLE,
        starts_at=starts_at,
        items=[
            {"title": "Accueil et nouvelles du quartier", "description": ""},
            {
                "title": "Des bancs autour de l'aire de jeux",
                "description": "L'idée d'une habitante : on en discute et on vote.",
                "proposal": idea if idea is not None and idea.is_public else None,
            },
            {
                "title": "La fête de quartier",
                "description": "Choisir la date et se répartir les tâches.",
            },
            {"title": "Questions diverses", "description": ""},
        ],
        colleges=COLLEGES,
        **_rules(),
    )
    amina = _user("amina@demo.quartier-commun.fr")
    if amina is not None:
        services.register(assembly=assembly, resident=amina)
    _register_partner(staff, assembly)
    return assembly


def _register_partner(staff, assembly):
    partner = _user(PARTNER_EMAIL)
    if partner is None:
        return None
    return services.register_at_desk(
        actor=staff,
        assembly=assembly,
        user=partner,
        college=assembly.colleges.get(name="Bailleurs"),
    )


def _attendee(email, name, tilleuls):
    from civic.accounts.models import User

    user = _user(email)
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, display_name=name, neighbourhood=tilleuls
        )
    return user


def _past(staff, tilleuls):
    """Held through the services now, then moved a month back."""
    assembly = services.create_assembly(
        actor=staff,
        neighbourhood=tilleuls,
        title=PAST_TITLE,
        starts_at=timezone.now(),
        items=[
            {"title": "Le nettoyage de printemps", "description": "Bilan et prochaine date."},
            {"title": "La fête de quartier", "description": "Choisir la date."},
        ],
        colleges=COLLEGES,
        **_rules(),
    )
    members = []
    for email in ("amina@demo.quartier-commun.fr",):
        user = _user(email)
        if user is not None:
            members.append(services.register(assembly=assembly, resident=user))
    karim, lucie = (
        services.register(assembly=assembly, resident=_attendee(email, name, tilleuls))
        for email, name in ATTENDEES
    )
    partner = _register_partner(staff, assembly)
    present = [*members, karim] + ([partner] if partner else [])
    for participant in present:
        services.check_in(actor=staff, participant=participant)
    services.give_proxy(actor=staff, giver=lucie, holder=karim)
    services.open_session(actor=staff, assembly=assembly)

    # 1. An open (non-secret) for/against vote.
    motion = services.create_motion(
        actor=staff,
        assembly=assembly,
        question="Refait-on un nettoyage de printemps le premier samedi de mai ?",
    )
    services.open_motion(actor=staff, motion=motion)
    for participant, role, behalf in [
        *((m, "for", None) for m in members),
        (karim, "for", None),
        (karim, "against", lucie.pk),
        *(((partner, "for", None),) if partner else ()),
    ]:
        services.cast_vote(
            actor=participant.user,
            motion=motion,
            option_id=MotionOption.objects.get(motion=motion, role=role).pk,
            on_behalf_of=behalf,
        )
    services.close_motion(actor=staff, motion=motion)

    # 2. A secret choice between two dates.
    assembly = services.next_item(actor=staff, assembly=assembly)
    secret = services.create_motion(
        actor=staff,
        assembly=assembly,
        question="Quelle date pour la fête de quartier ?",
        kind=MotionKind.CHOICES,
        choices=["Samedi 13 juin", "Samedi 20 juin"],
        is_secret=True,
    )
    services.open_motion(actor=staff, motion=secret)
    june_20, june_13 = "Samedi 20 juin", "Samedi 13 juin"
    secret_votes = [(m, None, june_20) for m in members]
    secret_votes += [(karim, None, june_13), (karim, lucie.pk, june_20)]
    secret_votes += [(partner, None, june_20)] if partner else []
    for participant, behalf, label in secret_votes:
        services.cast_vote(
            actor=participant.user,
            motion=secret,
            option_id=MotionOption.objects.get(motion=secret, label=label).pk,
            on_behalf_of=behalf,
        )
    services.close_motion(actor=staff, motion=secret)
    services.end_session(actor=staff, assembly=assembly)

    a_month_ago = timezone.localtime() - timedelta(days=30)
    _move_back(assembly, to=a_month_ago.replace(hour=18, minute=0, second=0, microsecond=0))
    page = minutes.generate_minutes(actor=staff, assembly=assembly)
    page.save_revision(user=staff).publish()
    return assembly


def _move_back(assembly, *, to):
    """The session opened at ``to``: every date of its record moves with it."""
    assembly = Assembly.objects.get(pk=assembly.pk)
    delta = assembly.session_opened_at - to
    for field in ("starts_at", "session_opened_at", "session_ended_at", "created_at"):
        setattr(assembly, field, getattr(assembly, field) - delta)
    assembly.starts_at = to
    assembly.save(
        update_fields=["starts_at", "session_opened_at", "session_ended_at", "created_at"]
    )
    for motion in assembly.motions.all():
        motion.created_at -= delta
        motion.opened_at -= delta
        motion.closed_at -= delta
        motion.save(update_fields=["created_at", "opened_at", "closed_at"])
    for participant in Participant.objects.filter(assembly=assembly):
        participant.registered_at -= delta
        if participant.checked_in_at:
            participant.checked_in_at -= delta
        participant.save(update_fields=["registered_at", "checked_in_at"])
    for ballot in Ballot.objects.filter(motion__assembly=assembly):
        ballot.cast_at -= delta
        ballot.changed_at -= delta
        ballot.save(update_fields=["cast_at", "changed_at"])
