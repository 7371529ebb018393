"""Every write about volunteer actions: views, API, admin and tasks call these.

Places are guarded twice: the shift row is locked (``select_for_update``) while a place is
taken or freed, and the database refuses ``seats_taken > capacity`` (check constraint).
Side effects (emails, live updates) run after the commit.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civic import codes
from civic.errors import ServiceError
from civic.uploads import discard_on_error, keep_until_commit, normalise_photo
from civic.volunteering import live, messages, rules
from civic.volunteering.models import (
    Action,
    CalendarFeed,
    OfflineVolunteer,
    Shift,
    Signup,
    new_calendar_token,
)


class VolunteeringError(ServiceError):
    """A request the rules refuse, with a message for the person."""

    # The shift filled up or clashes with another of the person's places; sign-up closed.
    conflict_codes = frozenset({"full", "overlap"})
    forbidden_codes = frozenset({"closed"})


def _lock_shift(shift):
    # Serialises every change of places on this shift: two residents taking the last place,
    # a cancellation racing a promotion, a double cancel.
    # ``of=("self",)``: the action is read with the shift but NOT locked (by default
    # select_related rows are locked too, which queued every sign-up of an action's other
    # shifts, and staff editing the action, behind this one).
    return Shift.objects.select_for_update(of=("self",)).select_related("action").get(pk=shift.pk)


# --- Actions and shifts (staff) -------------------------------------------------------------


@discard_on_error
@transaction.atomic
def create_action(*, actor, shifts=(), image=None, **fields):
    if not rules.can_manage(actor):
        raise PermissionDenied
    action = Action(created_by=actor, **fields)
    if image:
        action.image = normalise_photo(image, prefix="action")
    action.full_clean(exclude=["image"])
    action.save()
    if image:
        keep_until_commit(action.image)
    for shift in shifts:
        add_shift(actor=actor, action=action, **shift)
    return action


def _refuse_if_over(shift):
    # A finished shift is history: changing it would move hours and send emails about
    # something that already happened.
    if shift.is_past():
        raise VolunteeringError(_("Ce créneau est terminé : il ne peut plus changer."), code="past")


def _validate_shift(starts_at, ends_at, capacity):
    if ends_at <= starts_at:
        raise VolunteeringError(_("Le créneau doit finir après son début."), code="bad_times")
    if capacity < 1:
        raise VolunteeringError(_("Un créneau a au moins une place."), code="bad_capacity")


@transaction.atomic
def add_shift(*, actor, action, starts_at, ends_at, capacity, role=""):
    if not rules.can_manage(actor):
        raise PermissionDenied
    _validate_shift(starts_at, ends_at, capacity)
    return Shift.objects.create(
        action=action, starts_at=starts_at, ends_at=ends_at, capacity=capacity, role=role
    )


MAX_REPEATS = 52


@transaction.atomic
def add_repeating_shifts(
    *, actor, action, first_starts_at, duration, every_days=7, count, capacity, role=""
):
    """A shift pattern, e.g. every Saturday 10:00–12:00 for 8 weeks, created in one go.

    Repeats keep the local wall-clock time across daylight-saving changes."""
    if not rules.can_manage(actor):
        raise PermissionDenied
    if not 1 <= count <= MAX_REPEATS:
        raise VolunteeringError(
            _("Entre 1 et %(max)s créneaux à la fois.") % {"max": MAX_REPEATS}, code="bad_count"
        )
    if every_days < 1:
        raise VolunteeringError(_("L'intervalle est d'au moins un jour."), code="bad_interval")
    local_first = timezone.localtime(first_starts_at)
    created = []
    for index in range(count):
        naive = local_first.replace(tzinfo=None) + timedelta(days=every_days * index)
        starts_at = timezone.make_aware(naive)
        created.append(
            add_shift(
                actor=actor,
                action=action,
                starts_at=starts_at,
                ends_at=starts_at + duration,
                capacity=capacity,
                role=role,
            )
        )
    return created


@transaction.atomic
def change_capacity(*, actor, shift, capacity):
    """Staff change the number of places; new places go to the waitlist, in order."""
    if not rules.can_manage(actor):
        raise PermissionDenied
    shift = _lock_shift(shift)
    _refuse_if_over(shift)
    if capacity < shift.seats_taken:
        raise VolunteeringError(
            ngettext(
                "%(n)s personne est déjà inscrite : impossible de descendre en dessous.",
                "%(n)s personnes sont déjà inscrites : impossible de descendre en dessous.",
                shift.seats_taken,
            )
            % {"n": shift.seats_taken},
            code="below_taken",
        )
    _validate_shift(shift.starts_at, shift.ends_at, capacity)
    shift.capacity = capacity
    shift.save(update_fields=["capacity"])
    _promote_from_waitlist(shift)
    live.broadcast_after_commit(shift)
    return shift


@transaction.atomic
def cancel_shift(*, actor, shift):
    if not rules.can_manage(actor):
        raise PermissionDenied
    shift = _lock_shift(shift)
    if shift.is_cancelled:
        return shift
    _refuse_if_over(shift)
    affected = list(shift.signups.active().select_related("user", "offline_volunteer"))
    now = timezone.now()
    shift.signups.active().update(status=Signup.Status.CANCELLED, cancelled_at=now)
    shift.is_cancelled = True
    shift.seats_taken = 0
    shift.save(update_fields=["is_cancelled", "seats_taken"])
    messages.shift_cancelled_after_commit(shift, affected)
    live.broadcast_after_commit(shift)
    return shift


# --- Sign-ups -------------------------------------------------------------------------------


def _overlapping(shift, *, user=None, offline_volunteer=None):
    person = Q(user=user) if user is not None else Q(offline_volunteer=offline_volunteer)
    return (
        Signup.objects.active()
        .filter(person)
        .filter(shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
        .exclude(shift=shift)
        .select_related("shift__action")
        .first()
    )


@transaction.atomic
def sign_up(*, shift, actor, user=None, offline_volunteer=None, join_waitlist=True, now=None):
    """Sign a person up for a shift: a place if one is left, else the waitlist.

    ``actor`` is who clicks: the resident themselves, or staff acting for ``user`` or
    for an ``offline_volunteer`` (assisted sign-up, recorded in ``registered_by``).
    Idempotent: signing up again returns the existing live sign-up.
    """
    if user is None and offline_volunteer is None:
        user = actor
    acting_for_someone = offline_volunteer is not None or (user is not None and user != actor)
    if acting_for_someone and not rules.can_manage(actor):
        raise PermissionDenied
    if user is not None and not rules.is_resident(user):
        raise PermissionDenied
    if not rules.is_resident(actor):
        raise PermissionDenied

    # Serialise this person's sign-ups (whoever makes them: the resident, or two desks for a
    # resident without an account): the overlap check below must see the other one.
    # FOR NO KEY UPDATE, not FOR UPDATE: it still excludes the same lock, but not the
    # FOR KEY SHARE that inserting a row pointing at this person takes (a sign-up recording
    # them as ``registered_by``…); with FOR UPDATE, staff registering someone while their own
    # sign-up waited for the same shift deadlocked.
    # (get_user_model(), not type(user): request.user is a SimpleLazyObject.)
    person_row = get_user_model() if user is not None else OfflineVolunteer
    person_pk = user.pk if user is not None else offline_volunteer.pk
    person_row.objects.select_for_update(no_key=True).filter(pk=person_pk).first()
    shift = _lock_shift(shift)
    # Read under the locks: ``created_at`` orders the waitlist, so it must follow the order
    # in which people are served here, not the order their requests started in (a request
    # that waited for the lock would otherwise go ahead of people already waitlisted).
    now = now or timezone.now()
    if not rules.shift_is_open(shift, now):
        raise VolunteeringError(_("Ce créneau n'est plus ouvert aux inscriptions."), code="closed")

    person = {"user": user} if user is not None else {"offline_volunteer": offline_volunteer}
    existing = Signup.objects.active().filter(shift=shift, **person).first()
    if existing:
        return existing
    clash = _overlapping(shift, **person)
    if clash:
        raise VolunteeringError(
            _("Vous avez déjà une inscription à « %(action)s » à la même heure.")
            % {"action": clash.shift.action.title},
            code="overlap",
        )
    if shift.seats_taken < shift.capacity:
        status = Signup.Status.CONFIRMED
    elif join_waitlist:
        status = Signup.Status.WAITLISTED
    else:
        raise VolunteeringError(_("Ce créneau est complet."), code="full")
    try:
        with transaction.atomic():
            signup = codes.create_with_code(
                lambda code: Signup.objects.create(
                    shift=shift,
                    status=status,
                    registered_by=actor if acting_for_someone else None,
                    created_at=now,
                    presence_code=code,
                    **person,
                ),
                taken=lambda code: shift.signups.filter(presence_code=code).exists(),
            )
    except IntegrityError:
        # The same person's concurrent request won: one live sign-up stands.
        return Signup.objects.active().get(shift=shift, **person)
    if status == Signup.Status.CONFIRMED:
        shift.seats_taken += 1
        shift.save(update_fields=["seats_taken"])
        messages.confirmed_after_commit(signup)
    else:
        messages.waitlisted_after_commit(signup)
    live.broadcast_after_commit(shift)
    return signup


@transaction.atomic
def register_offline_volunteer(*, actor, name, phone="", neighbourhood=None, consent):
    """Record a resident who has no account, at the desk, with their consent."""
    if not rules.can_manage(actor):
        raise PermissionDenied
    if not consent:
        raise VolunteeringError(
            _("La personne doit être d'accord pour que ses informations soient enregistrées."),
            code="no_consent",
        )
    if not name.strip():
        raise VolunteeringError(_("Indiquez le nom de la personne."), code="no_name")
    return OfflineVolunteer.objects.create(
        name=name.strip(),
        phone=phone.strip(),
        neighbourhood=neighbourhood,
        consent_given_at=timezone.now(),
        consent_recorded_by=actor,
    )


@transaction.atomic
def cancel_signup(*, signup, actor, now=None):
    """Cancel a sign-up; the freed place goes to the first on the waitlist. Idempotent."""
    now = now or timezone.now()
    shift = _lock_shift(Shift(pk=signup.shift_id))
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    signup.shift = shift  # the locked one, with its action: no further reads for the rules
    if not signup.is_active:
        return signup  # double cancel: nothing more to do
    if not rules.can_cancel(actor, signup, now):
        raise PermissionDenied(
            _("Il est trop tard pour se désinscrire en ligne : prévenez la Régie.")
        )
    _release(signup, shift, now)
    messages.cancelled_after_commit(signup)
    return signup


def _release(signup, shift, now):
    """With the shift and the sign-up locked: cancel it and give its place away."""
    was_confirmed = signup.status == Signup.Status.CONFIRMED
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = now
    signup.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        shift.seats_taken -= 1
        shift.save(update_fields=["seats_taken"])
        _promote_from_waitlist(shift)
    live.broadcast_after_commit(shift)


@transaction.atomic
def release_places_of_departing_resident(*, user, now=None):
    """Before an account is deleted: its places on shifts not yet over go to the waitlist,
    so that ``seats_taken`` keeps matching the confirmed sign-ups. (Past sign-ups stay,
    anonymised, so that hours and statistics keep counting them.)"""
    now = now or timezone.now()
    pending = (
        Signup.objects.active()
        .filter(user=user, shift__ends_at__gt=now)
        .order_by("shift_id")  # a fixed lock order: no deadlock with other releases
        .values_list("pk", "shift_id")
    )
    for signup_pk, shift_pk in list(pending):
        shift = _lock_shift(Shift(pk=shift_pk))
        signup = Signup.objects.select_for_update().get(pk=signup_pk)
        if signup.is_active:
            _release(signup, shift, now)


def _promote_from_waitlist(shift):
    """With the shift locked: give free places to the waitlist, first come first served."""
    now = timezone.now()
    while shift.seats_taken < shift.capacity:
        waiting = (
            Signup.objects.select_for_update()
            .filter(shift=shift, status=Signup.Status.WAITLISTED)
            .order_by("created_at", "pk")
            .first()
        )
        if waiting is None:
            return
        waiting.status = Signup.Status.CONFIRMED
        waiting.promoted_at = now
        waiting.save(update_fields=["status", "promoted_at"])
        shift.seats_taken += 1
        shift.save(update_fields=["seats_taken"])
        messages.promoted_after_commit(waiting)


# --- On the day -----------------------------------------------------------------------------


@transaction.atomic
def record_attendance(*, signup, actor, present):
    if not rules.can_manage(actor):
        raise PermissionDenied
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.status != Signup.Status.CONFIRMED:
        raise VolunteeringError(_("Cette personne n'est pas inscrite sur ce créneau."))
    signup.attendance = Signup.Attendance.PRESENT if present else Signup.Attendance.ABSENT
    signup.checked_in_at = timezone.now()
    signup.checked_in_by = actor
    signup.save(update_fields=["attendance", "checked_in_at", "checked_in_by"])
    return signup


def check_in_by_code(*, shift, code, actor):
    """Check in from the code shown on the volunteer's confirmation: the presence code in
    any form ``civic.codes`` reads (typed, or the QR code's link), or the UUID of earlier
    QR codes."""
    if not rules.can_manage(actor):
        raise PermissionDenied
    signup = Signup.objects.filter(shift=shift).with_code(code).first()
    if signup is None:
        raise VolunteeringError(_("Ce code ne correspond à aucune inscription sur ce créneau."))
    return record_attendance(signup=signup, actor=actor, present=True)


# --- Hours given ----------------------------------------------------------------------------


def hours_given(*, user=None, offline_volunteer=None, now=None):
    person = {"user": user} if user is not None else {"offline_volunteer": offline_volunteer}
    signups = Signup.objects.counted_for_hours(now).filter(**person).select_related("shift")
    total = sum((s.shift.duration for s in signups), timedelta())
    return round(total.total_seconds() / 3600, 2)


# --- Private calendar link ------------------------------------------------------------------


@transaction.atomic
def regenerate_calendar_feed(*, user):
    """Create the person's private calendar link, or replace it: the old address stops
    working at once."""
    if not rules.is_resident(user):
        raise PermissionDenied
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_calendar_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed, created
