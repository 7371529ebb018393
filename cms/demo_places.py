"""The demo on the map (seed_demo): points near the place des Tilleuls in Toulouse, and the
outline of « Les Tilleuls » around them.

Set on every run, by title, only where they differ: a database seeded before the maps gets
them, and a second run changes nothing (no new event revision either).
"""

from decimal import Decimal

from civic.assemblies.demo import UPCOMING_TITLE
from civic.assemblies.models import Assembly
from civic.proposals.models import Proposal
from civic.territory.models import Neighbourhood
from civic.volunteering.models import Action
from cms.agenda.models import EventPage

# (model, title, latitude, longitude)
POINTS = [
    (Action, "Grand nettoyage de la place des Tilleuls", "43.604700", "1.444200"),
    (Assembly, UPCOMING_TITLE, "43.603900", "1.446100"),
    (EventPage, "Réunion publique sur la propreté", "43.605200", "1.442500"),
    (Proposal, "Des bancs autour de l'aire de jeux", "43.605800", "1.445000"),
    (Proposal, "Plus de poubelles près de l'arrêt de bus", "43.603100", "1.443700"),
]

# Around the points above, [longitude, latitude], closed (the last point is the first).
TILLEULS_OUTLINE = {
    "type": "Polygon",
    "coordinates": [
        [
            [1.4412, 43.6026],
            [1.4451, 43.6021],
            [1.4474, 43.6031],
            [1.4476, 43.6052],
            [1.4457, 43.6067],
            [1.4420, 43.6064],
            [1.4408, 43.6045],
            [1.4412, 43.6026],
        ]
    ],
}


def _place(obj, latitude, longitude):
    if (obj.latitude, obj.longitude) == (latitude, longitude):
        return False
    obj.latitude, obj.longitude = latitude, longitude
    if isinstance(obj, EventPage):
        # A page is edited from its latest revision: the point goes in a new one.
        obj.save_revision().publish()
    else:
        type(obj).objects.filter(pk=obj.pk).update(latitude=latitude, longitude=longitude)
    return True


def place_on_the_map():
    """Returns how many things it placed (0 on a second run)."""
    changed = 0
    tilleuls = Neighbourhood.objects.filter(slug="les-tilleuls").first()
    if tilleuls is not None and tilleuls.outline != TILLEULS_OUTLINE:
        tilleuls.outline = TILLEULS_OUTLINE
        tilleuls.full_clean()
        tilleuls.save(update_fields=["outline"])
        changed += 1
    for model, title, latitude, longitude in POINTS:
        for obj in model.objects.filter(title=title):
            changed += _place(obj, Decimal(latitude), Decimal(longitude))
    return changed
