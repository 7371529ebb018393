"""Who may do what with volunteer actions: one function per permission, shared by the
HTML views, the API, the admin and the consumer."""

from django.utils import timezone


def is_volunteer_manager(user):
    """Régie staff who create actions, register residents at the desk and check people in."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("volunteering.manage_volunteering"))
    )


def is_resident(user):
    return bool(user and user.is_authenticated and user.is_active)


def can_view_action(user, action):
    return action.is_published or is_volunteer_manager(user)


def shift_is_open(shift, now=None):
    """Sign-ups are taken until the shift starts, on published actions only."""
    now = now or timezone.now()
    return shift.action.is_published and not shift.is_cancelled and shift.starts_at > now


def can_sign_up(user, shift, now=None):
    return is_resident(user) and shift_is_open(shift, now)


def can_cancel(user, signup, now=None):
    """Volunteers cancel their own sign-up until the action's cut-off; staff at any time
    before the shift ends."""
    now = now or timezone.now()
    if not signup.is_active or not is_resident(user):
        return False
    if is_volunteer_manager(user):
        return signup.shift.ends_at > now
    if signup.user_id != user.pk:
        return False
    if signup.status == signup.Status.WAITLISTED:
        return signup.shift.starts_at > now
    return now <= signup.shift.cancellation_deadline()


def can_manage(user):
    return is_volunteer_manager(user)


def can_view_roster(user):
    return is_volunteer_manager(user)
