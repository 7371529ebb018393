"""The database refuses half a point on every model that has one (ideas, actions, events,
assemblies), whatever the door: an ``UPDATE`` that skips the forms and the model's
``clean()`` still meets the CHECK. In SQL, ``NULL >= -180`` is unknown and a CHECK that
is unknown passes: the constraint must say ``IS NOT NULL`` on each side.

Runs on SQLite and, with ``DATABASE_URL`` set, on PostgreSQL (whose CHECK is also read
back from its catalogue below)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from civic.assemblies.models import Assembly
from civic.proposals.models import Proposal
from civic.volunteering.models import Action
from cms.agenda.models import EventPage
from tests.agenda_factories import make_event
from tests.assemblies_factories import make_assembly
from tests.factories import ActionFactory, ProposalFactory

LAT, LNG = Decimal("43.604700"), Decimal("1.444200")


@pytest.fixture
def pointed(resident, manager, tilleuls, site_tree):
    """One object of each kind, with a whole point."""
    return {
        Proposal: ProposalFactory(author=resident, latitude=LAT, longitude=LNG),
        Action: ActionFactory(neighbourhood=tilleuls, latitude=LAT, longitude=LNG),
        EventPage: make_event(latitude=LAT, longitude=LNG),
        Assembly: make_assembly(manager, tilleuls, latitude=LAT, longitude=LNG),
    }


MODELS = [Proposal, Action, EventPage, Assembly]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    "latitude, longitude",
    [(LAT, None), (None, LNG), (Decimal("95"), LNG), (LAT, Decimal("-181"))],
    ids=["latitude-only", "longitude-only", "latitude-out-of-range", "longitude-out-of-range"],
)
def test_half_or_wrong_points_are_refused_by_the_database(pointed, model, latitude, longitude):
    obj = pointed[model]
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(latitude=latitude, longitude=longitude)
    obj.refresh_from_db()
    assert (obj.latitude, obj.longitude) == (LAT, LNG)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_whole_point_or_none_is_accepted(pointed, model):
    obj = pointed[model]
    model.objects.filter(pk=obj.pk).update(latitude=None, longitude=None)
    obj.refresh_from_db()
    assert (obj.latitude, obj.longitude) == (None, None)
    model.objects.filter(pk=obj.pk).update(latitude=Decimal("-90"), longitude=Decimal("180"))
    obj.refresh_from_db()
    assert (obj.latitude, obj.longitude) == (Decimal("-90"), Decimal("180"))


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "table, name",
    [
        ("proposals_proposal", "proposal_point_is_valid"),
        ("volunteering_action", "action_point_is_valid"),
        ("agenda_eventpage", "event_point_is_valid"),
        ("assemblies_assembly", "assembly_point_is_valid"),
    ],
)
def test_postgresql_checks_each_side_is_not_null(table, name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = %s AND conrelid = %s::regclass",
            [name, table],
        )
        (definition,) = cursor.fetchone()
    assert "latitude IS NOT NULL" in definition
    assert "longitude IS NOT NULL" in definition
