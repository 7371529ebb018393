"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Every WebSocket route checks the Origin against ALLOWED_HOSTS and gets the session user;
while the channel layer (Redis) is unreachable, sockets close with 1013 "try again later"
(civic/live/outage.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before the consumers (and the models they use) are imported.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from civic.assemblies.consumers import AssemblyConsumer  # noqa: E402
from civic.live.consumers import LiveConsumer  # noqa: E402
from civic.live.outage import ChannelLayerOutageGuard  # noqa: E402
from civic.proposals.consumers import ProposalConsumer  # noqa: E402
from civic.volunteering.consumers import ActionConsumer  # noqa: E402

websocket_urlpatterns = [
    # Home page and news pages: news published for the visitor's neighbourhood.
    path("ws/live/", LiveConsumer.as_asgi()),
    # Proposal list and detail pages: support counts and statuses.
    path("ws/idees/", ProposalConsumer.as_asgi()),
    # Volunteer action page: places left and waitlist per shift.
    path("ws/agir/<int:action_id>/", ActionConsumer.as_asgi()),
    # Assembly pages (member's phone, chair's screen, projector): the live session.
    path("ws/assemblees/<int:assembly_id>/", AssemblyConsumer.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(ChannelLayerOutageGuard(URLRouter(websocket_urlpatterns)))
        ),
    }
)
