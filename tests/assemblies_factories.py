"""Assemblies for the tests: built through the services (so the rules apply) or, when a test
needs a row the services would refuse, through the factories.

Typical use::

    assembly = make_assembly(manager, tilleuls, items=["Budget", "Jardin"])
    amina = present_member(assembly, resident, manager)      # registered + checked in
    motion = open_vote(assembly, manager)                    # session open, vote open
    services.cast_vote(actor=resident, motion=motion, option_id=option(motion, "for").pk)
"""

import factory
from django.utils import timezone

from civic.assemblies import services
from civic.assemblies.models import (
    Assembly,
    Motion,
    MotionKind,
    MotionOption,
    MotionStatus,
    Participant,
    SessionStatus,
)
from tests.factories import NeighbourhoodFactory, UserFactory


def in_days(days, hour=18):
    return timezone.localtime().replace(
        hour=hour, minute=0, second=0, microsecond=0
    ) + timezone.timedelta(days=days)


class AssemblyFactory(factory.django.DjangoModelFactory):
    """A published assembly in a week, no quorum, simple majority, no colleges."""

    class Meta:
        model = Assembly

    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    title = factory.Sequence(lambda n: f"Assemblée de quartier n°{n}")
    starts_at = factory.LazyFunction(lambda: in_days(7))
    place = "Salle des fêtes, 3 rue des Lilas"
    convocation = "Venez nombreux : budget participatif et jardin partagé."
    is_published = True


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    assembly = factory.SubFactory(AssemblyFactory)
    user = factory.SubFactory(
        UserFactory, neighbourhood=factory.SelfAttribute("..assembly.neighbourhood")
    )


def make_chair(neighbourhood=None, **fields):
    """Régie staff who chairs assemblies, with the permission granted to the user itself:
    ``transaction=True`` tests flush the group permissions the data migration created, so
    the ``manager`` fixture is no chair there."""
    from django.contrib.auth.models import Permission

    user = UserFactory(neighbourhood=neighbourhood, groups=[], **fields)
    user.user_permissions.add(
        Permission.objects.get(codename="manage_assemblies", content_type__app_label="assemblies")
    )
    return type(user).objects.get(pk=user.pk)  # fresh: no stale permission cache


def make_assembly(manager, neighbourhood, *, items=(), colleges=(), **fields):
    """An assembly created by ``manager`` through ``services.create_assembly``, published by
    default. ``items``: titles (str) or dicts (title, description, proposal); ``colleges``:
    (name, weight) pairs (sets ``use_colleges``)."""
    fields.setdefault("title", "Assemblée des Tilleuls")
    fields.setdefault("starts_at", in_days(7))
    fields.setdefault("place", "Salle des fêtes, 3 rue des Lilas")
    fields.setdefault("is_published", True)
    if colleges:
        fields.setdefault("use_colleges", True)
    return services.create_assembly(
        actor=manager,
        neighbourhood=neighbourhood,
        items=[{"title": item} if isinstance(item, str) else item for item in items],
        colleges=list(colleges),
        **fields,
    )


def resident_of(assembly, **fields):
    """A new resident of the assembly's neighbourhood (not registered)."""
    return UserFactory(neighbourhood=assembly.neighbourhood, **fields)


def register_member(assembly, user, manager=None, *, college=None):
    """Registered, not present: by themselves if they live there, else at the desk."""
    if manager is not None and (
        college is not None
        or user.neighbourhood_id is None
        or user.neighbourhood_id != assembly.neighbourhood_id
    ):
        return services.register_at_desk(
            actor=manager, assembly=assembly, user=user, college=college
        )
    return services.register(assembly=assembly, resident=user)


def present_member(assembly, user, manager, *, college=None):
    """Registered (by themselves, or at the desk for a college or an outsider) and checked
    in: a member who votes."""
    participant = register_member(assembly, user, manager, college=college)
    return services.check_in(actor=manager, participant=participant)


def open_session(assembly, manager):
    return services.open_session(actor=manager, assembly=assembly)


def make_motion(assembly, manager, question="Adopte-t-on le budget ?", **kw):
    """A prepared (draft) motion, for/against by default (``kind``, ``choices``, ``is_secret``,
    ``majority``, ``item``)."""
    return services.create_motion(actor=manager, assembly=assembly, question=question, **kw)


def open_vote(assembly, manager, question="Adopte-t-on le budget ?", **kw):
    """Opens the session if needed, prepares a motion and opens it."""
    assembly.refresh_from_db()
    if assembly.session_status == SessionStatus.NOT_STARTED:
        services.open_session(actor=manager, assembly=assembly)
    motion = make_motion(assembly, manager, question, **kw)
    return services.open_motion(actor=manager, motion=motion)


def option(motion, which):
    """An option of ``motion``: "for", "against", "abstention", or a choice's label."""
    options = MotionOption.objects.filter(motion=motion)
    if which in ("for", "against"):
        return options.get(role=which)
    if which == "abstention":
        return options.get(is_abstention=True)
    return options.get(label=which)


def vote(user, motion, which, *, on_behalf_of=None):
    """``user`` votes ``which`` (see ``option``); returns the ballot."""
    ballot, _count = services.cast_vote(
        actor=user,
        motion=motion,
        option_id=option(motion, which).pk,
        on_behalf_of=on_behalf_of.pk if isinstance(on_behalf_of, Participant) else on_behalf_of,
    )
    return ballot


def close(motion, manager):
    return services.close_motion(actor=manager, motion=Motion.objects.get(pk=motion.pk))


__all__ = [
    "AssemblyFactory",
    "MotionKind",
    "MotionStatus",
    "ParticipantFactory",
    "close",
    "in_days",
    "make_assembly",
    "make_chair",
    "make_motion",
    "open_session",
    "open_vote",
    "option",
    "present_member",
    "register_member",
    "resident_of",
    "vote",
]
