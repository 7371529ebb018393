"""Who may do what in the agenda: one function per permission, shared by the views and the
services.

Rosters (who registered) are for the staff who can edit the event in Wagtail: the page's
edit permission, i.e. the Editors and Moderators groups through their page permissions
(Wagtail's own model, set per part of the tree), and superusers. Being logged in to the
admin is not enough: a group limited to another section of the site does not see the
names of people registered here.
"""

from django.utils import timezone


def is_resident(user):
    return bool(user and user.is_authenticated and user.is_active)


def can_view_event(user, event):
    """Public, live pages only; Wagtail's own view restrictions apply when serving."""
    return bool(event.live)


def occurrence_is_open(event, occurrence, now=None):
    """Registration is taken until the occurrence starts, on live events that take it."""
    now = now or timezone.now()
    return bool(
        event.live and event.registration_open and occurrence is not None and occurrence.start > now
    )


def can_register(user, event, occurrence, now=None):
    return is_resident(user) and occurrence_is_open(event, occurrence, now)


def can_cancel(user, registration, now=None):
    """People cancel their own registration until the occurrence starts."""
    now = now or timezone.now()
    return bool(
        is_resident(user)
        and registration.is_active
        and registration.user_id == user.pk
        and registration.slot.starts_at > now
    )


def can_view_roster(user, event):
    if not is_resident(user):
        return False
    return user.is_superuser or event.permissions_for_user(user).can_edit()
