"""Sending to the live channel. Call these from services inside ``transaction.on_commit``
so that browsers are never told about something the database does not hold."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from civic.live import groups
from civic.territory.models import Neighbourhood


def send_to_groups(group_names, message_type, payload):
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": "live.event", "event": message_type, "payload": payload}
    for name in group_names:
        async_to_sync(layer.group_send)(name, event)


def groups_for_neighbourhood(neighbourhood_id):
    """Who hears about something in one neighbourhood (or, with None, in all of them)."""
    if neighbourhood_id is None:
        ids = Neighbourhood.objects.values_list("pk", flat=True)
    else:
        ids = [neighbourhood_id]
    return [groups.EVERYONE, *(groups.neighbourhood_group(pk) for pk in ids)]
