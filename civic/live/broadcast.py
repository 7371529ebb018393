"""Sending to the live channel. Call these from services inside ``transaction.on_commit``
so that browsers are never told about something the database does not hold."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from civic.live import groups
from civic.territory.models import Neighbourhood

logger = logging.getLogger(__name__)


def send_to_groups(group_names, message_type, payload):
    """Send one event to several groups; a failing channel layer is logged, not raised.

    This runs after the commit: the publication has already succeeded, so a channel layer
    that is down (Redis restarting) must not turn the editor's request into an error.
    Open pages simply miss the push and show the article on their next load.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": "live.event", "event": message_type, "payload": payload}

    async def send_all():
        for name in group_names:
            try:
                await layer.group_send(name, event)
            except Exception:
                logger.exception("Live event %s not sent to group %s", message_type, name)

    # One event loop for all the groups (not one per group_send).
    async_to_sync(send_all)()


def groups_for_neighbourhood(neighbourhood_id):
    """Who hears about something in one neighbourhood (or, with None, in all of them)."""
    if neighbourhood_id is None:
        ids = Neighbourhood.objects.values_list("pk", flat=True)
    else:
        ids = [neighbourhood_id]
    return [groups.EVERYONE, *(groups.neighbourhood_group(pk) for pk in ids)]
