"""Every write about event registrations: views (and anything later) call these.

The same guarantees as volunteer shifts: the places of one occurrence live on one
``OccurrenceSlot`` row, locked (``select_for_update``) whenever a place is taken or freed,
and the database refuses ``seats_taken > capacity``. Emails are sent after the commit.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civic.errors import ServiceError
from cms.agenda import messages, rules
from cms.agenda.models import EventPage, OccurrenceSlot, Registration


class AgendaError(ServiceError):
    """A request the rules refuse, with a message for the person."""


def _lock_slot(event, starts_at):
    """The occurrence's slot, created if needed, locked for this transaction.

    Serialises every change of places on this date: people racing for the last place, a
    cancellation racing a promotion, a double cancel. ``ignore_conflicts`` (INSERT … ON
    CONFLICT DO NOTHING) lets the first registrations for a date create the row together
    without an IntegrityError; the lock is then taken on the one row that exists.
    """
    OccurrenceSlot.objects.bulk_create(
        [OccurrenceSlot(event=event, starts_at=starts_at, capacity=event.capacity)],
        ignore_conflicts=True,
    )
    slot = OccurrenceSlot.objects.select_for_update().get(event=event, starts_at=starts_at)
    _follow_capacity(slot, event)
    return slot


def _follow_capacity(slot, event):
    """Staff may change the event's number of places after people registered: the slot
    follows, never below the places already taken, and new places go to the waitlist."""
    wanted = max(event.capacity or 0, slot.seats_taken, 1)
    if wanted != slot.capacity:
        slot.capacity = wanted
        slot.save(update_fields=["capacity"])
        _promote_from_waitlist(slot, event)


@transaction.atomic
def register(*, event, starts_at, resident, join_waitlist=True, now=None):
    """Register ``resident`` for the occurrence of ``event`` starting at ``starts_at``: a
    place if one is left, else the waitlist (when the event has one).

    Idempotent: registering again returns the existing live registration.
    """
    if not rules.is_resident(resident):
        raise PermissionDenied
    # Read the page again: the caller's copy may be older than the last publication.
    event = EventPage.objects.get(pk=event.pk)
    occurrence = event.occurrence_starting(starts_at)
    if occurrence is None:
        raise AgendaError(_("Cette date ne fait pas partie de l'événement."), code="no_such_date")
    if not event.registration_open:
        raise AgendaError(_("Cet événement ne prend pas d'inscriptions."), code="no_registration")
    slot = _lock_slot(event, occurrence.start)
    # Read under the lock: ``created_at`` orders the waitlist, so it must follow the order
    # in which people are served here, not the order their requests started in.
    now = now or timezone.now()
    if not rules.occurrence_is_open(event, occurrence, now):
        raise AgendaError(_("Les inscriptions sont closes pour cette date."), code="closed")

    existing = Registration.objects.active().filter(slot=slot, user=resident).first()
    if existing:
        return existing
    if slot.seats_taken < slot.capacity:
        status = Registration.Status.CONFIRMED
    elif join_waitlist and event.waitlist_enabled:
        status = Registration.Status.WAITLISTED
    else:
        raise AgendaError(_("Cette date est complète."), code="full")
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                slot=slot, user=resident, status=status, created_at=now
            )
    except IntegrityError:
        # The same person's concurrent request won: one live registration stands.
        return Registration.objects.active().get(slot=slot, user=resident)
    if status == Registration.Status.CONFIRMED:
        slot.seats_taken += 1
        slot.save(update_fields=["seats_taken"])
    messages.registered_after_commit(registration)
    return registration


@transaction.atomic
def cancel_registration(*, registration, actor, now=None):
    """Cancel a registration; a freed place goes to the first on the waitlist. Idempotent."""
    now = now or timezone.now()
    slot = OccurrenceSlot.objects.select_for_update().get(pk=registration.slot_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.slot = slot
    if not registration.is_active:
        return registration  # double cancel: nothing more to do
    if not rules.can_cancel(actor, registration, now):
        raise PermissionDenied(
            _("Cette date a commencé : il n'est plus possible de se désinscrire.")
        )
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        slot.seats_taken -= 1
        slot.save(update_fields=["seats_taken"])
        _promote_from_waitlist(slot, EventPage.objects.get(pk=slot.event_id))
    messages.cancelled_after_commit(registration)
    return registration


def _promote_from_waitlist(slot, event):
    """With the slot locked: free places go to the waitlist, first come first served."""
    if slot.starts_at <= timezone.now():
        return  # nobody is called in for a date that has begun
    now = timezone.now()
    while slot.seats_taken < slot.capacity:
        waiting = (
            Registration.objects.select_for_update()
            .filter(slot=slot, status=Registration.Status.WAITLISTED)
            .order_by("created_at", "pk")
            .first()
        )
        if waiting is None:
            return
        waiting.status = Registration.Status.CONFIRMED
        waiting.promoted_at = now
        waiting.save(update_fields=["status", "promoted_at"])
        slot.seats_taken += 1
        slot.save(update_fields=["seats_taken"])
        messages.promoted_after_commit(waiting)


def release_places_of_departing_resident(*, user, now=None):
    """Before an account is deleted: its registrations on dates not yet begun are cancelled
    through the usual path, so that freed places go to the waitlist (the row's CASCADE
    would drop them with ``seats_taken`` unchanged: places lost for everyone)."""
    now = now or timezone.now()
    active = Registration.objects.filter(
        user=user,
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        slot__starts_at__gt=now,
    )
    for registration in active:
        cancel_registration(registration=registration, actor=user, now=now)
