"""Every write about assemblies: the views, the API, the admin and the live consumer call
these, so that a rule lives once.

Concurrency: the assembly row is locked (``select_for_update``) by every change of the
session (items, votes opening and closing, floor); the motion row is locked by every vote
and by its closing, so that no vote is counted after the close and a double tap stores one
ballot (also guaranteed by ``one_ballot_per_member``). Live updates go out after the commit
(``live``): the database is the truth.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civic import codes
from civic.assemblies import live, messages, results, rules
from civic.assemblies.models import (
    AgendaItem,
    Assembly,
    Ballot,
    College,
    FloorRequest,
    FloorStatus,
    Majority,
    Motion,
    MotionKind,
    MotionOption,
    MotionStatus,
    Participant,
    SessionStatus,
)
from civic.errors import ServiceError

MAX_CHOICES = 12
MAX_QUESTION_CHARS = Motion._meta.get_field("question").max_length
MAX_CHOICE_CHARS = MotionOption._meta.get_field("label").max_length


class AssemblyError(ServiceError):
    """A request the rules refuse, with a message for the person."""

    # Already checked in or already voted; another quartier's assembly, or closed.
    conflict_codes = frozenset({"present", "voted"})
    forbidden_codes = frozenset({"other_neighbourhood", "closed"})


def _lock_assembly(assembly):
    return Assembly.objects.select_for_update().get(pk=assembly.pk)


def _lock_motion(motion):
    # Serialises the votes on one motion with its opening and closing.
    return (
        Motion.objects.select_for_update(of=("self",)).select_related("assembly").get(pk=motion.pk)
    )


def _require_chair(actor, assembly):
    if not rules.can_chair(actor, assembly):
        raise PermissionDenied


# --- Preparing (staff) ----------------------------------------------------------------------


@transaction.atomic
def create_assembly(*, actor, items=(), colleges=(), **fields):
    """``items``: agenda item dicts (title, description, proposal); ``colleges``: (name,
    weight) pairs. Staff usually do this in the Wagtail admin, which saves the same rows."""
    if not rules.is_assembly_manager(actor):
        raise PermissionDenied
    assembly = Assembly(created_by=actor, **fields)
    assembly.full_clean()
    assembly.save()
    for position, item in enumerate(items):
        AgendaItem.objects.create(assembly=assembly, sort_order=position, **item)
    for position, (name, weight) in enumerate(colleges):
        College.objects.create(assembly=assembly, sort_order=position, name=name, weight=weight)
    return assembly


# --- Registration and attendance ------------------------------------------------------------


def _default_college(assembly):
    # Residents who register themselves sit in the first college (the habitants').
    if not assembly.use_colleges:
        return None
    return assembly.colleges.order_by("sort_order", "pk").first()


def _get_or_create_participant(assembly, user, *, registered_by, college=None):
    existing = Participant.objects.filter(assembly=assembly, user=user).first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint: a double submit loses the race on the unique constraint, quietly.
        with transaction.atomic():
            participant = codes.create_with_code(
                lambda code: Participant.objects.create(
                    assembly=assembly,
                    user=user,
                    registered_by=registered_by,
                    college=college or _default_college(assembly),
                    presence_code=code,
                ),
                taken=lambda code: assembly.participants.filter(presence_code=code).exists(),
            )
    except IntegrityError:
        existing = Participant.objects.filter(assembly=assembly, user=user).first()
        if existing is None:
            raise  # not a double submit (codes kept colliding, see civic.codes)
        return existing, False
    return participant, True


@transaction.atomic
def register(*, assembly, resident):
    """A resident of the neighbourhood registers for the assembly (idempotent)."""
    assembly = Assembly.objects.select_related("neighbourhood").get(pk=assembly.pk)
    if not rules.can_register(resident, assembly):
        if not rules.is_member_of_neighbourhood(resident, assembly):
            raise AssemblyError(
                _("Cette assemblée est réservée aux habitants du quartier %(name)s.")
                % {"name": assembly.neighbourhood.name},
                code="other_neighbourhood",
            )
        raise AssemblyError(_("Les inscriptions sont closes."), code="closed")
    participant, created = _get_or_create_participant(assembly, resident, registered_by=resident)
    if created:
        # Named by user: a socket opened before registering has no participant id yet.
        live.attendance_changed(assembly.pk, user_ids=[resident.pk])
        messages.registered_after_commit(participant)
    return participant


@transaction.atomic
def unregister(*, participant, resident):
    """A member withdraws before being checked in; their proxy, if any, goes with them."""
    if participant.user_id != resident.pk:
        raise PermissionDenied
    if participant.assembly.session_status == SessionStatus.ENDED:
        # The attendance is part of the record (and of the minutes) once the session ends.
        raise AssemblyError(_("La séance est terminée."), code="ended")
    if participant.checked_in_at is not None:
        raise AssemblyError(_("Votre présence est déjà notée : voyez l'accueil."), code="present")
    if participant.ballots.exists():
        raise AssemblyError(_("Vous avez déjà voté à cette assemblée."), code="voted")
    assembly_id = participant.assembly_id
    participant.proxies_held.update(proxy_holder=None)
    participant.delete()
    live.attendance_changed(assembly_id, user_ids=[resident.pk])
    messages.unregistered_after_commit(user=resident, assembly=participant.assembly)


@transaction.atomic
def register_at_desk(*, actor, assembly, user, college=None):
    """Staff register a member at the door (a resident, or a partner's representative in
    their college); any account may be registered this way."""
    if not rules.is_assembly_manager(actor):
        raise PermissionDenied
    if assembly.session_status == SessionStatus.ENDED:
        raise AssemblyError(_("La séance est terminée."), code="ended")
    if college is not None and college.assembly_id != assembly.pk:
        raise AssemblyError(_("Ce collège n'est pas celui de cette assemblée."), code="college")
    participant, created = _get_or_create_participant(
        assembly, user, registered_by=actor, college=college
    )
    if created:
        messages.registered_after_commit(participant)
    if not created and college is not None and participant.college_id != college.pk:
        participant.college = college
        participant.save(update_fields=["college"])
    live.attendance_changed(assembly.pk, user_ids=[user.pk])
    return participant


@transaction.atomic
def check_in(*, actor, participant):
    """Staff mark a member present (idempotent). A member who arrives takes their vote
    back: a proxy they had given lapses."""
    if not rules.is_assembly_manager(actor):
        raise PermissionDenied
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.assembly.session_status == SessionStatus.ENDED:
        raise AssemblyError(_("La séance est terminée."), code="ended")
    if participant.checked_in_at is not None:
        return participant
    changed = [participant.pk]
    if participant.proxy_holder_id:
        changed.append(participant.proxy_holder_id)
        participant.proxy_holder = None
    participant.checked_in_at = timezone.now()
    participant.checked_in_by = actor
    participant.save(update_fields=["checked_in_at", "checked_in_by", "proxy_holder"])
    live.attendance_changed(participant.assembly_id, participant_ids=changed)
    return participant


def check_in_by_token(*, actor, assembly, token):
    """The code of a registration, typed or scanned at the door: the presence code in any
    form ``civic.codes`` reads, or the long token of earlier QR codes."""
    # Staff first: anyone else must not learn whether a code exists.
    if not rules.is_assembly_manager(actor):
        raise PermissionDenied
    participant = Participant.objects.filter(assembly=assembly).with_code(token).first()
    if participant is None:
        raise AssemblyError(_("Ce code ne correspond à aucune inscription."), code="unknown_code")
    return check_in(actor=actor, participant=participant)


@transaction.atomic
def undo_check_in(*, actor, participant):
    """A mistake at the door, or a member leaving: no longer present, no longer votes; the
    proxy they held lapses with them."""
    if not rules.is_assembly_manager(actor):
        raise PermissionDenied
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.checked_in_at is None:
        return participant
    changed = [participant.pk, *participant.proxies_held.values_list("pk", flat=True)]
    participant.proxies_held.update(proxy_holder=None)
    participant.checked_in_at = None
    participant.checked_in_by = None
    participant.save(update_fields=["checked_in_at", "checked_in_by"])
    live.attendance_changed(participant.assembly_id, participant_ids=changed)
    return participant


@transaction.atomic
def give_proxy(*, actor, giver, holder):
    """Record a procuration: present ``holder`` will vote for absent ``giver``."""
    if not rules.is_assembly_manager(actor):
        raise PermissionDenied
    # Both rows locked, in a fixed order (no deadlock with a concurrent opposite request).
    locked = {
        p.pk: p
        for p in Participant.objects.select_for_update()
        .filter(pk__in=[giver.pk, holder.pk])
        .order_by("pk")
    }
    giver, holder = locked.get(giver.pk), locked.get(holder.pk)
    if giver is None or holder is None or giver.pk == holder.pk:
        raise AssemblyError(_("Choisissez deux membres différents."), code="same_member")
    if giver.assembly_id != holder.assembly_id:
        raise AssemblyError(_("Les deux membres doivent être de cette assemblée."), code="other")
    if giver.checked_in_at is not None:
        raise AssemblyError(
            _("%(name)s est sur place et vote sans procuration.") % {"name": giver.name},
            code="giver_present",
        )
    if holder.checked_in_at is None:
        raise AssemblyError(
            _("Pour porter une procuration, %(name)s doit être sur place.") % {"name": holder.name},
            code="holder_absent",
        )
    if holder.proxy_holder_id is not None:
        raise AssemblyError(_("Ce membre a lui-même donné procuration."), code="holder_gave")
    if giver.proxies_held.exists():
        raise AssemblyError(
            _("%(name)s porte déjà une procuration.") % {"name": giver.name}, code="giver_holds"
        )
    if Ballot.objects.filter(voter=giver, motion__status=MotionStatus.OPEN).exists():
        raise AssemblyError(_("Ce membre a déjà voté sur le vote en cours."), code="voted")
    previous_holder = giver.proxy_holder_id
    giver.proxy_holder = holder
    try:
        with transaction.atomic():
            giver.save(update_fields=["proxy_holder"])
    except IntegrityError:
        raise AssemblyError(
            _("%(name)s porte déjà une procuration : une seule par personne.")
            % {"name": holder.name},
            code="one_proxy",
        ) from None
    changed = [giver.pk, holder.pk] + ([previous_holder] if previous_holder else [])
    live.attendance_changed(giver.assembly_id, participant_ids=changed)
    return giver


@transaction.atomic
def withdraw_proxy(*, actor, giver):
    if not rules.is_assembly_manager(actor):
        raise PermissionDenied
    giver = Participant.objects.select_for_update().get(pk=giver.pk)
    holder = giver.proxy_holder_id
    if holder is None:
        return giver
    giver.proxy_holder = None
    giver.save(update_fields=["proxy_holder"])
    live.attendance_changed(giver.assembly_id, participant_ids=[giver.pk, holder])
    return giver


def attendance(assembly):
    """Registered, present and represented members, and the quorum: a ``results.Quorum``
    plus the number registered."""
    counts = Participant.objects.filter(assembly=assembly).aggregate(
        registered=_count(),
        present=_count(Q(checked_in_at__isnull=False)),
        represented=_count(
            Q(checked_in_at__isnull=True, proxy_holder__checked_in_at__isnull=False)
        ),
    )
    required = results.quorum_required(
        assembly.quorum_kind, assembly.quorum_value, counts["registered"]
    )
    return counts["registered"], results.Quorum(
        required=required, present=counts["present"], represented=counts["represented"]
    )


def _count(condition=None):
    from django.db.models import Count

    return Count("pk", filter=condition) if condition is not None else Count("pk")


# --- The session (the chair) ------------------------------------------------------------------


@transaction.atomic
def open_session(*, actor, assembly):
    _require_chair(actor, assembly)
    assembly = _lock_assembly(assembly)
    if assembly.session_status == SessionStatus.ENDED:
        raise AssemblyError(_("La séance est terminée."), code="ended")
    if assembly.session_status == SessionStatus.OPEN:
        return assembly
    assembly.session_status = SessionStatus.OPEN
    assembly.session_opened_at = timezone.now()
    if assembly.current_item_id is None:
        assembly.current_item = assembly.items.order_by("sort_order", "pk").first()
    assembly.save(update_fields=["session_status", "session_opened_at", "current_item"])
    live.state_changed(assembly.pk)
    return assembly


def _require_open_session(assembly):
    if assembly.session_status != SessionStatus.OPEN:
        raise AssemblyError(_("La séance n'est pas ouverte."), code="session_not_open")


@transaction.atomic
def go_to_item(*, actor, assembly, item):
    _require_chair(actor, assembly)
    assembly = _lock_assembly(assembly)
    _require_open_session(assembly)
    if item.assembly_id != assembly.pk:
        raise AssemblyError(_("Ce point n'est pas à l'ordre du jour."), code="other_item")
    if assembly.motions.filter(status=MotionStatus.OPEN).exists():
        raise AssemblyError(_("Clôturez d'abord le vote en cours."), code="vote_open")
    assembly.current_item = item
    assembly.save(update_fields=["current_item"])
    live.state_changed(assembly.pk)
    return assembly


@transaction.atomic
def next_item(*, actor, assembly):
    _require_chair(actor, assembly)
    assembly = _lock_assembly(assembly)
    items = list(assembly.items.order_by("sort_order", "pk"))
    ids = [item.pk for item in items]
    if not items:
        raise AssemblyError(_("L'ordre du jour est vide."), code="no_items")
    if assembly.current_item_id in ids:
        index = ids.index(assembly.current_item_id) + 1
        if index >= len(items):
            raise AssemblyError(_("C'était le dernier point."), code="last_item")
    else:
        index = 0
    return go_to_item(actor=actor, assembly=assembly, item=items[index])


@transaction.atomic
def end_session(*, actor, assembly):
    _require_chair(actor, assembly)
    assembly = _lock_assembly(assembly)
    if assembly.session_status == SessionStatus.ENDED:
        return assembly
    if assembly.motions.filter(status=MotionStatus.OPEN).exists():
        raise AssemblyError(_("Clôturez d'abord le vote en cours."), code="vote_open")
    now = timezone.now()
    assembly.floor_requests.filter(status=FloorStatus.SPEAKING).update(
        status=FloorStatus.DONE, ended_at=now
    )
    assembly.floor_requests.filter(status=FloorStatus.WAITING).update(
        status=FloorStatus.WITHDRAWN, ended_at=now
    )
    assembly.session_status = SessionStatus.ENDED
    assembly.session_ended_at = now
    assembly.save(update_fields=["session_status", "session_ended_at"])
    live.state_changed(assembly.pk)
    return assembly


# --- Votes --------------------------------------------------------------------------------------


@transaction.atomic
def create_motion(
    *,
    actor,
    assembly,
    question,
    kind=MotionKind.FOR_AGAINST,
    choices=(),
    is_secret=False,
    majority=None,
    item=None,
):
    """Prepare a vote. For/against motions get pour / contre / abstention; a choice
    between several options gets the given choices plus an abstention."""
    _require_chair(actor, assembly)
    assembly = _lock_assembly(assembly)  # fresh: its current item is the default
    question = (question or "").strip()
    if not question:
        raise AssemblyError(_("Écrivez la question posée."), code="no_question")
    # The HTML form refuses NUL bytes, the socket and the API did not: SQLite stored them,
    # PostgreSQL refused them with a database error.
    if "\x00" in question:
        raise AssemblyError(_("La question contient un caractère invalide."), code="bad_question")
    if len(question) > MAX_QUESTION_CHARS:
        raise AssemblyError(
            _("La question fait au plus %(max)s caractères.") % {"max": MAX_QUESTION_CHARS},
            code="long_question",
        )
    if item is not None and item.assembly_id != assembly.pk:
        raise AssemblyError(_("Ce point n'est pas à l'ordre du jour."), code="other_item")
    if kind not in MotionKind.values:
        raise AssemblyError(_("Type de vote inconnu."), code="bad_kind")
    majority = majority or assembly.majority
    if majority not in Majority.values:
        raise AssemblyError(_("Majorité inconnue."), code="bad_majority")
    abstention = _("Abstention")
    if kind == MotionKind.CHOICES:
        labels = []
        for choice in choices:
            label = (choice or "").strip()
            if label and label.casefold() not in {known.casefold() for known in labels}:
                labels.append(label)
        if not 2 <= len(labels) <= MAX_CHOICES:
            raise AssemblyError(
                _("Proposez entre 2 et %(max)s choix différents.") % {"max": MAX_CHOICES},
                code="bad_choices",
            )
        if any("\x00" in label for label in labels):
            raise AssemblyError(_("Un choix contient un caractère invalide."), code="bad_choices")
        # Checked here, not by the database: a long label is a form error, not a 500.
        if any(len(label) > MAX_CHOICE_CHARS for label in labels):
            raise AssemblyError(
                _("Un choix fait au plus %(max)s caractères.") % {"max": MAX_CHOICE_CHARS},
                code="bad_choices",
            )
        # The abstention is added below; a choice of the same name would break
        # ``unique_option_label``.
        if abstention.casefold() in {label.casefold() for label in labels}:
            raise AssemblyError(
                _("L'abstention est toujours proposée : ne l'ajoutez pas aux choix."),
                code="bad_choices",
            )
        options = [{"label": label} for label in labels]
    else:
        options = [
            {"label": _("Pour"), "role": results.FOR},
            {"label": _("Contre"), "role": results.AGAINST},
        ]
    motion = Motion(
        assembly=assembly,
        item=item or assembly.current_item,
        question=question,
        kind=kind,
        is_secret=is_secret,
        majority=majority,
        created_by=actor,
    )
    motion.full_clean(exclude=["assembly", "item", "created_by"])
    motion.save()
    options.append({"label": abstention, "is_abstention": True})
    for position, option in enumerate(options):
        MotionOption.objects.create(motion=motion, position=position, **option)
    live.state_changed(assembly.pk)
    return motion


@transaction.atomic
def open_motion(*, actor, motion):
    _require_chair(actor, motion.assembly)
    assembly = _lock_assembly(motion.assembly)
    _require_open_session(assembly)
    motion = _lock_motion(motion)
    if motion.status == MotionStatus.OPEN:
        return motion
    if motion.status == MotionStatus.CLOSED:
        raise AssemblyError(_("Ce vote est déjà clos."), code="closed")
    if assembly.motions.filter(status=MotionStatus.OPEN).exists():
        raise AssemblyError(_("Un autre vote est en cours."), code="other_open")
    motion.status = MotionStatus.OPEN
    motion.opened_at = timezone.now()
    motion.save(update_fields=["status", "opened_at"])
    live.state_changed(assembly.pk)
    return motion


def participant_for(user, assembly):
    if not (user and user.is_authenticated):
        return None
    return (
        Participant.objects.filter(assembly=assembly, user=user).select_related("college").first()
    )


@transaction.atomic
def cast_vote(*, actor, motion, option_id, on_behalf_of=None):
    """A present member votes, or changes their vote, until the chair closes it.

    ``on_behalf_of``: the id of the absent member whose proxy ``actor`` holds. Returns
    ``(ballot, votes_cast)``: the number of members who have voted on the motion, read under
    the motion's lock (exact). Voting the same choice again changes nothing.
    """
    motion = _lock_motion(motion)
    holder = participant_for(actor, motion.assembly)
    if holder is None:
        raise AssemblyError(
            _("Vous n'avez pas d'inscription à cette assemblée."), code="not_member"
        )
    if motion.status != MotionStatus.OPEN:
        raise AssemblyError(_("Ce vote n'est pas ouvert."), code="not_open")
    if not rules.can_vote(holder, motion):
        raise AssemblyError(
            _("Seuls les membres notés présents à l'accueil votent."), code="not_present"
        )
    voter = holder
    if on_behalf_of is not None and int(on_behalf_of) != holder.pk:
        voter = Participant.objects.filter(
            pk=on_behalf_of, proxy_holder=holder, checked_in_at__isnull=True
        ).first()
        if voter is None:
            raise AssemblyError(
                _("Vous ne portez pas la procuration de ce membre."), code="no_proxy"
            )
    option = MotionOption.objects.filter(motion=motion, pk=option_id).first()
    if option is None:
        raise AssemblyError(_("Ce choix n'existe pas pour ce vote."), code="bad_option")
    now = timezone.now()
    ballot = Ballot.objects.filter(motion=motion, voter=voter).first()
    if ballot is None:
        ballot = Ballot.objects.create(
            motion=motion, voter=voter, cast_by=holder, option=option, cast_at=now, changed_at=now
        )
    elif ballot.option_id != option.pk:
        ballot.option = option
        ballot.cast_by = holder
        ballot.changed_at = now
        ballot.save(update_fields=["option", "cast_by", "changed_at"])
    votes_cast = Ballot.objects.filter(motion=motion).count()
    return ballot, votes_cast


def _college_of(participant, colleges, default):
    return participant.college_id if participant.college_id in colleges else default


@transaction.atomic
def close_motion(*, actor, motion):
    """Close the vote, compute and record its result (with the quorum as it stands), and
    erase the choices of a secret ballot. Returns the closed motion."""
    _require_chair(actor, motion.assembly)
    assembly = _lock_assembly(motion.assembly)
    motion = _lock_motion(motion)
    if motion.status == MotionStatus.CLOSED:
        return motion
    if motion.status != MotionStatus.OPEN:
        raise AssemblyError(_("Ce vote n'est pas ouvert."), code="not_open")

    options = [
        results.Option(id=o.pk, label=o.label, is_abstention=o.is_abstention, role=o.role)
        for o in motion.options.all()
    ]
    college_weights = None
    default_college = None
    if assembly.use_colleges:
        college_weights = dict(assembly.colleges.values_list("pk", "weight"))
        default_college = (
            assembly.colleges.order_by("sort_order", "pk").values_list("pk", flat=True).first()
        )
    ballots = [
        (ballot.option_id, _college_of(ballot.voter, college_weights or {}, default_college))
        for ballot in motion.ballots.select_related("voter").exclude(option=None)
    ]
    registered, quorum = attendance(assembly)
    result = results.compute(
        options=options,
        ballots=ballots,
        majority=motion.majority,
        for_against=motion.kind == MotionKind.FOR_AGAINST,
        quorum=quorum,
        college_weights=college_weights,
    )
    # Before it is stored: a figure that would give a secret choice away is never recorded.
    result = results.disclose(
        result,
        secret=motion.is_secret,
        weighted=college_weights is not None,
        sizes=results.college_sizes(ballots),
        threshold=settings.SECRET_BALLOT_MIN_GROUP,
    )
    result["registered"] = registered
    motion.status = MotionStatus.CLOSED
    motion.closed_at = timezone.now()
    motion.result = result
    motion.save(update_fields=["status", "closed_at", "result"])
    if motion.is_secret:
        # Counted: now forget who chose what (only that they took part).
        motion.ballots.update(option=None)
    _record_decision_on_proposal(actor, assembly, motion)
    live.state_changed(assembly.pk)
    return motion


def _record_decision_on_proposal(actor, assembly, motion):
    """A for/against vote on an item that brings an idea: the idea's public history says
    what the assembly decided, and on what date."""
    item = motion.item
    outcome = motion.result["outcome"]
    if (
        item is None
        or item.proposal_id is None
        or motion.kind != MotionKind.FOR_AGAINST
        or outcome not in (results.ADOPTED, results.REJECTED)
    ):
        return
    from civic.proposals import services as proposal_services

    proposal_services.record_assembly_decision(
        proposal=item.proposal,
        actor=actor,
        adopted=outcome == results.ADOPTED,
        assembly_title=assembly.title,
        held_on=timezone.localdate(assembly.session_opened_at or assembly.starts_at),
        tallies=motion.result["tallies"],
    )


# --- The speakers' queue -------------------------------------------------------------------------


@transaction.atomic
def request_floor(*, actor, assembly):
    """A present member asks to speak (idempotent: a second tap keeps their place)."""
    participant = participant_for(actor, assembly)
    assembly = Assembly.objects.get(pk=assembly.pk)
    if not rules.can_request_floor(participant, assembly):
        raise AssemblyError(
            _("Seuls les membres présents demandent la parole, pendant la séance."),
            code="not_present",
        )
    existing = assembly.floor_requests.filter(
        participant=participant, status__in=[FloorStatus.WAITING, FloorStatus.SPEAKING]
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            request = FloorRequest.objects.create(
                assembly=assembly, participant=participant, item=assembly.current_item
            )
    except IntegrityError:
        return assembly.floor_requests.get(
            participant=participant, status__in=[FloorStatus.WAITING, FloorStatus.SPEAKING]
        )
    live.state_changed(assembly.pk, participant_ids=[participant.pk])
    return request


@transaction.atomic
def withdraw_floor_request(*, actor, assembly):
    participant = participant_for(actor, assembly)
    if participant is None:
        return 0
    withdrawn = assembly.floor_requests.filter(
        participant=participant, status=FloorStatus.WAITING
    ).update(status=FloorStatus.WITHDRAWN, ended_at=timezone.now())
    if withdrawn:
        live.state_changed(assembly.pk, participant_ids=[participant.pk])
    return withdrawn


@transaction.atomic
def give_floor(*, actor, request):
    """The chair gives the floor to ``request`` (ending the current speaker's turn)."""
    _require_chair(actor, request.assembly)
    assembly = _lock_assembly(request.assembly)
    _require_open_session(assembly)
    request = FloorRequest.objects.select_for_update().get(pk=request.pk)
    if request.assembly_id != assembly.pk:
        raise PermissionDenied
    if request.status == FloorStatus.SPEAKING:
        return request
    if request.status != FloorStatus.WAITING:
        raise AssemblyError(_("Cette demande n'est plus en attente."), code="not_waiting")
    changed = _end_current_speaker(assembly)
    request.status = FloorStatus.SPEAKING
    request.started_at = timezone.now()
    request.save(update_fields=["status", "started_at"])
    live.state_changed(assembly.pk, participant_ids=[*changed, request.participant_id])
    return request


def give_floor_to_next(*, actor, assembly):
    _require_chair(actor, assembly)  # before reading the queue: a refusal tells nothing
    request = assembly.floor_requests.filter(status=FloorStatus.WAITING).first()
    if request is None:
        raise AssemblyError(_("Personne n'a demandé la parole."), code="queue_empty")
    return give_floor(actor=actor, request=request)


def _end_current_speaker(assembly):
    speaking = list(
        assembly.floor_requests.filter(status=FloorStatus.SPEAKING).values_list(
            "participant_id", flat=True
        )
    )
    assembly.floor_requests.filter(status=FloorStatus.SPEAKING).update(
        status=FloorStatus.DONE, ended_at=timezone.now()
    )
    return speaking


@transaction.atomic
def end_floor(*, actor, assembly):
    _require_chair(actor, assembly)
    assembly = _lock_assembly(assembly)
    changed = _end_current_speaker(assembly)
    if changed:
        live.state_changed(assembly.pk, participant_ids=changed)
    return bool(changed)
