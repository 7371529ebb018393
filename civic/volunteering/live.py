"""Places left and waitlist length, live on the action page (Channels group per action)."""

from django.db import transaction

from civic.live.broadcast import send_to_groups


def action_group(action_id):
    return f"action-{action_id}"


def shift_state(shift):
    """Public figures only: never who signed up."""
    return {
        "id": shift.pk,
        "action": shift.action_id,
        "capacity": shift.capacity,
        "seats_taken": shift.seats_taken,
        "places_left": shift.places_left,
        "waitlist": shift.waitlist_count if hasattr(shift, "waitlist_count") else None,
        "is_cancelled": shift.is_cancelled,
    }


def states_for_action(action_id):
    from civic.volunteering.models import Shift

    return [shift_state(s) for s in Shift.objects.filter(action_id=action_id).with_waitlist()]


def broadcast_after_commit(shift):
    pk, action_id = shift.pk, shift.action_id

    def send():
        from civic.volunteering.models import Shift

        fresh = Shift.objects.filter(pk=pk).with_waitlist().first()
        if fresh is not None:
            send_to_groups([action_group(action_id)], "shift.state", shift_state(fresh))

    transaction.on_commit(send, robust=True)
