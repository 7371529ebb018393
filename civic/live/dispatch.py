"""Group events straight to their handler, without a trip through the database thread.

Channels' ``AsyncConsumer.dispatch`` runs ``close_old_connections`` in Django's single
database thread before EVERY message, group broadcasts included. A result broadcast to a
thousand sockets then queues a thousand steps behind the votes in that one thread (measured
by bench/assemblies.py: 31 s to deliver a result to 1,000 members instead of under a
second). Our ``live.event`` handlers only forward an already-built payload, and the rare one
that reads the database does it through ``database_sync_to_async``, which cleans up itself.
"""


class DirectGroupEventsMixin:
    async def dispatch(self, message):
        if message.get("type") == "live.event":
            await self.live_event(message)
            return
        await super().dispatch(message)
