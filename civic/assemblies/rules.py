"""Who may do what in an assembly: one function per permission, shared by the HTML views,
the API, the admin and the consumer.

- Régie staff with ``assemblies.manage_assemblies`` (the Editors and Moderators groups)
  prepare assemblies, check people in, record proxies and chair the session.
- Residents of the assembly's neighbourhood register and follow the session; only members
  checked in as present (or holding a present member's proxy) vote.
- Anyone else, a resident of another neighbourhood included, sees published assemblies'
  pages but not the live session.
"""

from civic.assemblies.models import MotionStatus, SessionStatus


def is_assembly_manager(user):
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("assemblies.manage_assemblies"))
    )


def can_chair(user, assembly):
    return is_assembly_manager(user)


def can_view_assembly(user, assembly):
    return assembly.is_published or is_assembly_manager(user)


def is_member_of_neighbourhood(user, assembly):
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.neighbourhood_id is not None
        and user.neighbourhood_id == assembly.neighbourhood_id
    )


def can_register(user, assembly):
    """Residents of the neighbourhood register themselves until the session ends."""
    return (
        assembly.is_published
        and assembly.session_status != SessionStatus.ENDED
        and is_member_of_neighbourhood(user, assembly)
    )


def can_follow_live(user, assembly, participant=None):
    """The live session (socket, member page, projector): staff, registered members and
    residents of the neighbourhood."""
    if is_assembly_manager(user):
        return True
    if not assembly.is_published or not (user and user.is_authenticated and user.is_active):
        return False
    return participant is not None or is_member_of_neighbourhood(user, assembly)


def can_vote(participant, motion):
    """A present member votes on an open motion (for themselves and their proxy)."""
    return (
        participant is not None
        and participant.checked_in_at is not None
        and participant.user_id is not None
        and motion.status == MotionStatus.OPEN
    )


def can_request_floor(participant, assembly):
    return (
        participant is not None
        and participant.checked_in_at is not None
        and assembly.session_status == SessionStatus.OPEN
    )
