"""Places left and waitlist length, live on the action page (Channels group per action).

A state is public figures only — never who signed up, nor anything about them:
``{"id", "action", "capacity", "seats_taken", "places_left", "waitlist", "is_cancelled",
"version"}``.

States are built after the commit, from the database: the database is the truth, and a
page that reconnects gets a fresh snapshot (see consumers.ActionConsumer).

Every state carries a ``version``: the database clock (microseconds since the epoch) at the
read that built it. Two commits on the same shift can have their states read in one order
and delivered in the other (two threads, two event loops, the channel layer); the consumer
keeps, per shift, the newest version it has sent and drops anything older, so that a page
never ends on a stale count.
"""

from django.db import transaction
from django.db.models.functions import Now

from civic.live.broadcast import send_to_groups


def action_group(action_id):
    return f"action-{action_id}"


def _version(moment):
    return int(moment.timestamp() * 1_000_000)


def shift_state(shift, version=0):
    """Public figures only: never who signed up."""
    return {
        "id": shift.pk,
        "action": shift.action_id,
        "capacity": shift.capacity,
        "seats_taken": shift.seats_taken,
        "places_left": shift.places_left,
        "waitlist": getattr(shift, "waitlist_count", None),
        "is_cancelled": shift.is_cancelled,
        "version": version,
    }


def _read(**filters):
    from civic.volunteering.models import Shift

    rows = (
        Shift.objects.filter(**filters)
        .with_waitlist()
        .annotate(read_at=Now())
        .only("pk", "action_id", "capacity", "seats_taken", "is_cancelled")
        .order_by("starts_at", "pk")
    )
    return [shift_state(row, _version(row.read_at)) for row in rows]


def states_for_action(action_id):
    """The state of every shift of the action, in the page's order, in one query."""
    return _read(action_id=action_id)


def state_for_shift(shift_id):
    """The state of one shift, or None when it no longer exists."""
    states = _read(pk=shift_id)
    return states[0] if states else None


def broadcast_after_commit(shift):
    """Tell the action's open pages about ``shift`` once the transaction has committed.

    Nothing is sent if it rolls back. A failure here (database or channel layer) is logged:
    the sign-up has already succeeded and must not turn into an error for the person.
    """
    pk, action_id = shift.pk, shift.action_id

    def send():
        state = state_for_shift(pk)
        if state is not None:
            send_to_groups([action_group(action_id)], "shift.state", state)

    transaction.on_commit(send, robust=True)
