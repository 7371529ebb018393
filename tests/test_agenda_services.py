"""Registration for events, through the services: places, the waitlist (first come, first
served), promotion with its email, cancellation, idempotence, closed dates; and the
permissions (rules)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F

from cms.agenda import rules, services
from cms.agenda.models import EventPage, OccurrenceSlot, Registration
from tests.agenda_factories import in_days, make_event, with_places
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

C, W, X = (
    Registration.Status.CONFIRMED,
    Registration.Status.WAITLISTED,
    Registration.Status.CANCELLED,
)


@pytest.fixture
def people(tilleuls):
    return [UserFactory(neighbourhood=tilleuls) for _ in range(5)]


@pytest.fixture
def party(site_tree):
    return with_places(capacity=2, title="Fête de quartier")


def first(event):
    return event.upcoming_occurrences()[0].start


def register(event, person, **kwargs):
    return services.register(event=event, starts_at=first(event), resident=person, **kwargs)


def slot_of(event):
    return OccurrenceSlot.objects.get(event=event, starts_at=first(event))


def test_places_then_waitlist(party, people):
    statuses = [register(party, p).status for p in people[:4]]
    assert statuses == [C, C, W, W]
    slot = slot_of(party)
    assert (slot.seats_taken, slot.capacity) == (2, 2)


def test_registering_twice_is_one_registration(party, resident):
    one = register(party, resident)
    two = register(party, resident)
    assert one.pk == two.pk
    assert Registration.objects.count() == 1
    assert slot_of(party).seats_taken == 1


def test_full_without_waitlist_is_refused(site_tree, people):
    event = with_places(capacity=1, waitlist_enabled=False)
    register(event, people[0])
    with pytest.raises(services.AgendaError) as error:
        register(event, people[1])
    assert error.value.code == "full"


def test_asking_for_a_place_only_never_joins_the_waitlist(party, people):
    register(party, people[0])
    register(party, people[1])
    with pytest.raises(services.AgendaError):
        register(party, people[2], join_waitlist=False)
    assert not Registration.objects.filter(user=people[2]).exists()


def test_cancelling_promotes_the_first_waiting_and_emails_them(
    party, people, django_capture_on_commit_callbacks
):
    regs = [register(party, p) for p in people[:4]]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=regs[0], actor=people[0])
    regs = [Registration.objects.get(pk=r.pk) for r in regs]
    assert [r.status for r in regs] == [X, C, C, W]
    assert regs[2].promoted_at is not None
    assert slot_of(party).seats_taken == 2
    # The cancellation is confirmed to people[0]; the freed place goes to people[2].
    (email,) = [m for m in mail.outbox if m.to == [people[2].email]]
    assert "Fête de quartier" in email.subject
    assert email.attachments[0][0] == "evenement.ics"


def test_waitlist_is_first_come_first_served(party, people, django_capture_on_commit_callbacks):
    regs = [register(party, p) for p in people]  # 2 confirmed, 3 waiting
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=regs[1], actor=people[1])
        services.cancel_registration(registration=regs[0], actor=people[0])
    statuses = [Registration.objects.get(pk=r.pk).status for r in regs]
    assert statuses == [X, X, C, C, W]
    promotions = [m.to for m in mail.outbox if "place s'est libérée" in m.subject]
    assert promotions == [[people[2].email], [people[3].email]]


def test_leaving_the_waitlist_gives_nobody_a_place(party, people):
    regs = [register(party, p) for p in people[:3]]
    services.cancel_registration(registration=regs[2], actor=people[2])
    assert slot_of(party).seats_taken == 2
    assert mail.outbox == []


def test_double_cancel_frees_one_place(party, people):
    regs = [register(party, p) for p in people[:4]]
    services.cancel_registration(registration=regs[0], actor=people[0])
    services.cancel_registration(registration=regs[0], actor=people[0])
    assert [Registration.objects.get(pk=r.pk).status for r in regs] == [X, C, C, W]


def test_a_cancelled_person_may_register_again(party, resident):
    reg = register(party, resident)
    services.cancel_registration(registration=reg, actor=resident)
    again = register(party, resident)
    assert again.pk != reg.pk and again.status == C


def test_nobody_cancels_for_someone_else(party, resident, other_resident):
    reg = register(party, resident)
    with pytest.raises(PermissionDenied):
        services.cancel_registration(registration=reg, actor=other_resident)


def test_no_cancellation_once_the_date_has_started(party, resident):
    reg = register(party, resident)
    with pytest.raises(PermissionDenied):
        services.cancel_registration(
            registration=reg, actor=resident, now=first(party) + timedelta(minutes=1)
        )
    assert Registration.objects.get(pk=reg.pk).status == C


def test_past_dates_are_refused(site_tree, resident):
    past = with_places(capacity=5, start=in_days(-3))
    with pytest.raises(services.AgendaError) as error:
        services.register(event=past, starts_at=past.start, resident=resident)
    assert error.value.code == "closed"


def test_a_date_that_is_not_the_events_is_refused(party, resident):
    with pytest.raises(services.AgendaError) as error:
        services.register(
            event=party, starts_at=first(party) + timedelta(hours=1), resident=resident
        )
    assert error.value.code == "no_such_date"


def test_events_without_registration_refuse_it(site_tree, resident):
    event = make_event()
    with pytest.raises(services.AgendaError) as error:
        register(event, resident)
    assert error.value.code == "no_registration"


def test_unpublished_events_take_no_registration(party, resident):
    party.unpublish()
    with pytest.raises(services.AgendaError):
        register(party, resident)


def test_inactive_accounts_cannot_register(party, resident):
    resident.is_active = False
    resident.save()
    with pytest.raises(PermissionDenied):
        register(party, resident)


def test_each_date_of_a_repeating_event_has_its_own_places(site_tree, people):
    event = with_places(capacity=1, repeat=EventPage.Repeat.WEEKLY, repeat_count=3)
    dates = [o.start for o in event.occurrences()]
    a = services.register(event=event, starts_at=dates[0], resident=people[0])
    b = services.register(event=event, starts_at=dates[1], resident=people[1])
    c = services.register(event=event, starts_at=dates[0], resident=people[1])
    assert (a.status, b.status, c.status) == (C, C, W)
    assert OccurrenceSlot.objects.filter(event=event).count() == 2


def test_more_places_later_go_to_the_waitlist(party, people):
    regs = [register(party, p) for p in people[:4]]
    party.capacity = 3
    party.save_revision().publish()
    register(party, people[4])  # any registration brings the date up to the new capacity
    statuses = [Registration.objects.get(pk=r.pk).status for r in regs]
    assert statuses == [C, C, C, W]
    assert slot_of(party).capacity == 3


def test_fewer_places_later_never_remove_anyone(party, people):
    regs = [register(party, p) for p in people[:2]]
    party.capacity = 1
    party.save_revision().publish()
    assert register(party, people[2]).status == W
    assert [Registration.objects.get(pk=r.pk).status for r in regs] == [C, C]
    assert slot_of(party).capacity == 2


def test_the_database_refuses_overbooking(party, resident):
    register(party, resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        OccurrenceSlot.objects.filter(event=party).update(seats_taken=F("capacity") + 1)


def test_the_database_refuses_two_live_registrations(party, resident):
    reg = register(party, resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(slot=reg.slot, user=resident, status=W)


# --- Rules ----------------------------------------------------------------------------------


def test_roster_is_for_staff_who_can_edit_the_event(party, resident, editor, manager, partner):
    assert rules.can_view_roster(editor, party)
    assert rules.can_view_roster(manager, party)
    assert not rules.can_view_roster(resident, party)
    assert not rules.can_view_roster(partner, party)
    from django.contrib.auth.models import AnonymousUser

    assert not rules.can_view_roster(AnonymousUser(), party)


def test_superusers_see_rosters(party, tilleuls):
    boss = UserFactory(neighbourhood=tilleuls, groups=[], is_superuser=True)
    assert rules.can_view_roster(boss, party)


def test_a_deleted_account_gives_its_place_to_the_waitlist(
    party, people, django_capture_on_commit_callbacks
):
    from civic.accounts.services import delete_account

    regs = [register(party, p) for p in people[:3]]  # 2 confirmed, 1 waiting
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(user=people[0])
    assert not Registration.objects.filter(pk=regs[0].pk).exists()
    assert Registration.objects.get(pk=regs[2].pk).status == C
    assert slot_of(party).seats_taken == 2
    assert [m.to for m in mail.outbox] == [[people[2].email]]
