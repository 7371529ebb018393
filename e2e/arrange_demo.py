"""Run once by the e2e session, after ``seed_demo``, inside ``manage.py shell -c``.

What the journeys need beyond the demo, and why:

- Two more residents of Les Tilleuls, Samia and Yves (same demo password, address already
  verified, like the demo's). The demo's residents cannot take the clean-up's "accueil"
  shift: the demo puts all three on the clean-up's other shift, at the same hour, and
  a person cannot be on two shifts at once (waiting list included).
- The clean-up stays cancellable online: ``seed_demo`` puts it on the next Saturday at
  10:00 with a 24-hour cut-off, so on a Friday after 10:00 nobody may cancel online any
  more. Only then, that action's cut-off is shortened.
- A second assembly of Les Tilleuls already in session, for the accessibility checks and
  the keyboard vote (``test_accessibility.py``): Amina registered and present, one vote
  closed (so that a result is shown) and one open, Amina asking to speak. The demo's
  upcoming assembly is left untouched for ``test_assemblies.py``, which opens its session.

Prints one line per change, for the session's log.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from civic.accounts import roles
from civic.accounts.models import User
from civic.assemblies import services as assemblies
from civic.assemblies.models import Assembly
from civic.territory.models import Neighbourhood
from civic.volunteering.models import Action

PASSWORD = "quartier-demo-2026"  # noqa: S105 - the published demo password
EXTRA_RESIDENTS = [
    ("samia@demo.quartier-commun.fr", "Samia K."),
    ("yves@demo.quartier-commun.fr", "Yves L."),
]

tilleuls = Neighbourhood.objects.get(slug="les-tilleuls")
for address, name in EXTRA_RESIDENTS:
    if not User.objects.filter(email__iexact=address).exists():
        user = User.objects.create_user(
            email=address, password=PASSWORD, display_name=name, neighbourhood=tilleuls
        )
        EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
        roles.add_to_group(user, roles.RESIDENTS)
        print("resident added:", address)

action = Action.objects.get(title="Grand nettoyage de la place des Tilleuls")
first_start = action.shifts.order_by("starts_at").first().starts_at
margin = timezone.now() + timedelta(hours=1)
if first_start - action.cancellation_cutoff < margin:
    action.cancellation_cutoff_hours = max((first_start - margin) // timedelta(hours=1), 0)
    action.save(update_fields=["cancellation_cutoff_hours"])
    print("clean-up cancellation cut-off shortened to", action.cancellation_cutoff_hours, "h")

ESSAI = "Assemblée d'essai des Tilleuls (séance en cours)"
if not Assembly.objects.filter(title=ESSAI).exists():
    nadia = User.objects.get(email="direction@demo.quartier-commun.fr")
    amina = User.objects.get(email="amina@demo.quartier-commun.fr")
    essai = assemblies.create_assembly(
        actor=nadia,
        neighbourhood=tilleuls,
        title=ESSAI,
        starts_at=timezone.now(),
        place="Salle polyvalente, 3 place des Tilleuls",
        is_published=True,
        items=[
            {"title": "Le jardin partagé", "description": "Où planter les premiers bacs ?"},
            {"title": "Questions diverses", "description": ""},
        ],
    )
    member = assemblies.register(assembly=essai, resident=amina)
    assemblies.check_in(actor=nadia, participant=member)
    assemblies.open_session(actor=nadia, assembly=essai)
    done = assemblies.create_motion(
        actor=nadia, assembly=essai, question="Adopter l'ordre du jour ?"
    )
    assemblies.open_motion(actor=nadia, motion=done)
    assemblies.cast_vote(actor=amina, motion=done, option_id=done.options.get(role="for").pk)
    assemblies.close_motion(actor=nadia, motion=done)
    ongoing = assemblies.create_motion(
        actor=nadia, assembly=essai, question="Planter les bacs côté école ?"
    )
    assemblies.open_motion(actor=nadia, motion=ongoing)
    assemblies.request_floor(actor=amina, assembly=essai)
    print("assembly in session added:", essai.pk)
