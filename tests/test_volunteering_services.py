"""The rules of volunteer shifts, through their service functions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from civic.volunteering import services
from civic.volunteering.models import Signup
from tests.factories import ShiftFactory

pytestmark = pytest.mark.django_db


def test_last_place_then_waitlist_then_promotion(
    resident, other_resident, django_capture_on_commit_callbacks, mailoutbox
):
    shift = ShiftFactory(capacity=1)
    first = services.sign_up(shift=shift, actor=resident)
    second = services.sign_up(shift=shift, actor=other_resident)
    assert first.status == Signup.Status.CONFIRMED
    assert second.status == Signup.Status.WAITLISTED
    shift.refresh_from_db()
    assert shift.seats_taken == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_signup(signup=first, actor=resident)
    second.refresh_from_db()
    assert second.status == Signup.Status.CONFIRMED and second.promoted_at
    shift.refresh_from_db()
    assert shift.seats_taken == 1
    promoted = [m for m in mailoutbox if other_resident.email in m.to]
    assert promoted and promoted[0].attachments[0][2] == "text/calendar"


def test_sign_up_is_idempotent_and_overlaps_are_refused(resident):
    shift = ShiftFactory()
    assert services.sign_up(shift=shift, actor=resident) == services.sign_up(
        shift=shift, actor=resident
    )
    overlapping = ShiftFactory(
        starts_at=shift.starts_at + timedelta(hours=1), ends_at=shift.ends_at + timedelta(hours=1)
    )
    with pytest.raises(services.VolunteeringError) as error:
        services.sign_up(shift=overlapping, actor=resident)
    assert error.value.code == "overlap"


def test_cancel_cut_off_applies_to_residents_not_staff(resident, manager):
    shift = ShiftFactory(
        starts_at=timezone.now() + timedelta(hours=5), ends_at=timezone.now() + timedelta(hours=7)
    )
    signup = services.sign_up(shift=shift, actor=resident)
    with pytest.raises(PermissionDenied):
        services.cancel_signup(signup=signup, actor=resident)
    services.cancel_signup(signup=signup, actor=manager)
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED


def test_assisted_sign_up_is_recorded_and_reserved_to_staff(resident, other_resident, manager):
    shift = ShiftFactory()
    with pytest.raises(PermissionDenied):
        services.sign_up(shift=shift, actor=resident, user=other_resident)
    guest = services.register_offline_volunteer(
        actor=manager, name="Mme Diallo", phone="06 00 00 00 00", consent=True
    )
    signup = services.sign_up(shift=shift, actor=manager, offline_volunteer=guest)
    assert signup.registered_by == manager
    with pytest.raises(services.VolunteeringError):
        services.register_offline_volunteer(actor=manager, name="Sans accord", consent=False)


def test_hours_count_past_shifts_except_absences(resident, manager):
    past = ShiftFactory(
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=3),
    )
    signup = services.sign_up(shift=past, actor=resident)
    later = timezone.now() + timedelta(days=2)
    assert services.hours_given(user=resident, now=later) == 3
    services.record_attendance(signup=signup, actor=manager, present=False)
    assert services.hours_given(user=resident, now=later) == 0


def test_repeating_pattern_keeps_local_time(manager):
    action = ShiftFactory().action
    first = timezone.make_aware(timezone.datetime(2027, 3, 20, 10, 0))
    shifts = services.add_repeating_shifts(
        actor=manager,
        action=action,
        first_starts_at=first,
        duration=timedelta(hours=2),
        count=3,
        capacity=4,
    )
    assert [timezone.localtime(s.starts_at).hour for s in shifts] == [10, 10, 10]  # across DST


def test_deleting_an_account_frees_its_places_for_the_waitlist(resident, other_resident):
    from civic.accounts.services import delete_account

    shift = ShiftFactory(capacity=1)
    services.sign_up(shift=shift, actor=resident)
    waiting = services.sign_up(shift=shift, actor=other_resident)
    delete_account(user=resident)
    shift.refresh_from_db()
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED
    assert shift.seats_taken == shift.signups.confirmed().count() == 1


def test_a_finished_shift_cannot_be_changed_or_cancelled(resident, manager):
    shift = ShiftFactory(capacity=1)
    services.sign_up(shift=shift, actor=resident)
    Shift = type(shift)
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(services.VolunteeringError):
        services.change_capacity(actor=manager, shift=shift, capacity=3)
    with pytest.raises(services.VolunteeringError):
        services.cancel_shift(actor=manager, shift=shift)
    shift.refresh_from_db()
    assert shift.capacity == 1 and not shift.is_cancelled
    assert services.hours_given(user=resident) == 2
