"""The live session of an assembly: what phones, the chair's screen and the projector show.

Built from the database after each commit (the database is the truth) and pushed to the
assembly's Channels group; a socket that (re)connects gets the same state as a snapshot.

- ``public_state``: the same for everyone in the room — session, current item, attendance
  and quorum, the current vote (question, options, how many have voted; the result once
  closed; never who chose what), the speakers' queue. Carries a ``version`` (the database
  clock at the read) so that a socket never goes back to an older state.
- ``personal_state``: one member's own view — present or not, the proxy they hold, their
  own choices on the open vote, their request to speak. Sent only to their own sockets.
- The number of votes cast changes with every vote; it travels as a small ``motion.votes``
  event, coalesced (at most one per ``VOTES_CAST_INTERVAL`` per process) so that a
  thousand votes do not become a million messages.
"""

import asyncio
import json

from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Now

from civic.live.broadcast import send_to_groups

# Every socket gets each count: at 1,000 members, 0.25 s meant 4,000 frames a second and
# most of the server's CPU during a vote (bench/assemblies.py). The closing state carries
# the exact count anyway.
VOTES_CAST_INTERVAL = 1.0  # seconds


def assembly_group(assembly_id):
    return f"assembly-{assembly_id}"


def _version(moment):
    return int(moment.timestamp() * 1_000_000)


def _motion_state(motion, votes_cast, result_note=""):
    if motion is None:
        return None
    return {
        "id": motion.pk,
        "question": motion.question,
        "kind": motion.kind,
        "is_secret": motion.is_secret,
        "majority": motion.majority,
        "majority_label": str(motion.get_majority_display()),
        "status": motion.status,
        "item": motion.item_id,
        "options": [
            {"id": o.pk, "label": o.label, "is_abstention": o.is_abstention}
            for o in motion.options.all()
        ],
        "votes_cast": votes_cast,
        "result": motion.result if motion.status == "closed" else None,
        # The sentence under the result (how it was counted), translated here like the page's.
        "result_note": result_note,
    }


def _result_note(assembly, motion):
    """« Résultat pondéré : chaque collège compte pour son poids (…) » under a weighted
    result whose figures are shown, as ``includes/result.html`` says it; "" otherwise."""
    from civic.assemblies.explain import weighted_result_text

    result = motion.result if motion is not None and motion.status == "closed" else None
    if not result or not result.get("weighted") or result.get("withheld"):
        return ""
    colleges = assembly.colleges.order_by("sort_order", "pk") if assembly.use_colleges else []
    return weighted_result_text(colleges)


def current_motion(assembly):
    """The open vote; otherwise the last one closed on the current item (its result stays
    on screen). A prepared vote is the chair's until opened: never in the room's state."""
    from civic.assemblies.models import Motion, MotionOption, MotionStatus

    motions = Motion.objects.filter(assembly=assembly).prefetch_related(
        Prefetch("options", queryset=MotionOption.objects.order_by("position", "pk"))
    )
    motion = motions.filter(status=MotionStatus.OPEN).first()
    if motion is None and assembly.current_item_id:
        motion = (
            motions.filter(item_id=assembly.current_item_id, status=MotionStatus.CLOSED)
            .order_by(F("closed_at").desc(nulls_last=True), "-created_at", "-pk")
            .first()
        )
    return motion


def public_state(assembly_id):
    """Everything the room sees, in a handful of queries; None if the assembly is gone."""
    from civic.assemblies import services
    from civic.assemblies.models import Assembly, FloorStatus

    assembly = (
        Assembly.objects.filter(pk=assembly_id)
        .select_related("current_item__proposal", "neighbourhood")
        .annotate(read_at=Now())
        .first()
    )
    if assembly is None:
        return None
    registered, quorum = services.attendance(assembly)
    motion = current_motion(assembly)
    votes_cast = motion.ballots.count() if motion is not None else 0
    floor = list(
        assembly.floor_requests.filter(status__in=[FloorStatus.WAITING, FloorStatus.SPEAKING])
        .select_related("participant__user")
        .order_by("requested_at", "pk")
    )
    item = assembly.current_item
    return {
        "id": assembly.pk,
        "version": _version(assembly.read_at),
        "session": assembly.session_status,
        "current_item": None
        if item is None
        else {
            "id": item.pk,
            "title": item.title,
            "description": item.description,
            "proposal": _proposal(item.proposal),
        },
        "items": [
            {"id": pk, "title": title}
            for pk, title in assembly.items.order_by("sort_order", "pk").values_list("pk", "title")
        ],
        "attendance": {
            "registered": registered,
            "present": quorum.present,
            "represented": quorum.represented,
            "quorum_required": quorum.required,
            "quorum_reached": quorum.reached,
        },
        "motion": _motion_state(motion, votes_cast, _result_note(assembly, motion)),
        "speakers": {
            "current": next((_speaker(r) for r in floor if r.status == FloorStatus.SPEAKING), None),
            "queue": [_speaker(r) for r in floor if r.status == FloorStatus.WAITING],
        },
    }


def _proposal(proposal):
    from civic.proposals.lifecycle import PUBLIC_STATUSES

    if proposal is None or proposal.status not in PUBLIC_STATUSES or proposal.is_hidden:
        return None
    return {"id": proposal.pk, "title": proposal.title, "url": proposal.get_absolute_url()}


def _speaker(request):
    return {
        "id": request.pk,
        "participant": request.participant_id,
        "name": request.participant.name,
    }


def personal_state(assembly_id, user, *, is_chair=False):
    """One member's own view of the session (never anyone else's choices)."""
    from civic.assemblies.models import Ballot, FloorStatus, Motion, MotionStatus, Participant

    participant = (
        Participant.objects.filter(assembly_id=assembly_id, user=user)
        .select_related("college")
        .annotate(gave_proxy=Count("pk", filter=Q(proxy_holder__isnull=False)))
        .first()
        if user.is_authenticated
        else None
    )
    state = {"is_chair": is_chair, "participant": None}
    if participant is None:
        return state
    proxy = (
        Participant.objects.filter(proxy_holder=participant, checked_in_at__isnull=True)
        .select_related("user")
        .first()
    )
    open_motion = Motion.objects.filter(assembly_id=assembly_id, status=MotionStatus.OPEN).first()
    votes = {}
    if open_motion is not None:
        voters = [participant.pk] + ([proxy.pk] if proxy else [])
        votes = {
            str(voter): option
            for voter, option in Ballot.objects.filter(
                motion=open_motion, voter_id__in=voters
            ).values_list("voter_id", "option_id")
        }
    floor = (
        participant.floor_requests.filter(status__in=[FloorStatus.WAITING, FloorStatus.SPEAKING])
        .values_list("status", flat=True)
        .first()
    )
    state["participant"] = {
        "id": participant.pk,
        "name": participant.name,
        "present": participant.checked_in_at is not None,
        "college": participant.college.name if participant.college else None,
        "represented_by_proxy": participant.proxy_holder_id is not None,
        "proxy_for": None if proxy is None else {"id": proxy.pk, "name": proxy.name},
        "votes": votes,
        "floor": floor,
    }
    return state


def state_changed(assembly_id, participant_ids=(), user_ids=()):
    """After the commit, push the new public state to the room; the members in
    ``participant_ids`` (or, before they have one, the accounts in ``user_ids``) also
    refresh their own view. Nothing is sent on rollback; a failing
    channel layer is logged (the write has succeeded; pages resync on reconnect)."""

    def send():
        state = public_state(assembly_id)
        if state is not None:
            send_to_groups(
                [assembly_group(assembly_id)],
                "assembly.state",
                {
                    # Encoded once here, not once per socket: at 1,000 members the JSON
                    # encoding (and the in-memory layer's copy of a nested dict) per socket
                    # was most of the time between closing a vote and the last phone
                    # showing its result (bench/assemblies.py).
                    "text": json.dumps({"event": "assembly.state", "payload": state}),
                    "version": state["version"],
                    "participants": list(participant_ids),
                    "users": list(user_ids),
                },
            )

    transaction.on_commit(send, robust=True)


# Attendance changes are state changes too (counts and quorum on every screen).
attendance_changed = state_changed


def votes_cast_changed(assembly_id, motion_id, votes_cast):
    """From a request (the form without JavaScript): tell the room after the commit."""
    transaction.on_commit(
        lambda: send_to_groups(
            [assembly_group(assembly_id)],
            "motion.votes",
            {"motion": motion_id, "votes_cast": votes_cast},
        ),
        robust=True,
    )


# motion id → highest count waiting to be sent by this process.
_pending_counts = {}
# The event loop keeps only weak references to tasks: without this one, a pending flush
# could be collected mid-way and its motion's counts never sent again.
_flushes = set()


def schedule_votes_cast(channel_layer, assembly_id, motion_id, votes_cast):
    """From the consumer (inside the event loop): coalesce counts, send at most one per
    interval. Counts only grow while a vote is open, so the newest is the highest."""
    pending = _pending_counts.get(motion_id)
    if pending is not None:
        _pending_counts[motion_id] = max(pending, votes_cast)
        return
    _pending_counts[motion_id] = votes_cast

    async def flush():
        try:
            await asyncio.sleep(VOTES_CAST_INTERVAL)
        finally:
            # Even when cancelled (server shutting down): a stuck entry would mute the motion.
            count = _pending_counts.pop(motion_id, votes_cast)
        try:
            await channel_layer.group_send(
                assembly_group(assembly_id),
                {
                    "type": "live.event",
                    "event": "motion.votes",
                    "payload": {"motion": motion_id, "votes_cast": count},
                },
            )
        except Exception:  # the count is a courtesy: the next state carries it again
            import logging

            logging.getLogger(__name__).exception("Vote count not sent for motion %s", motion_id)

    task = asyncio.get_running_loop().create_task(flush())
    _flushes.add(task)
    task.add_done_callback(_flushes.discard)
