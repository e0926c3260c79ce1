"""ASGI entry point: HTTP and WebSockets (in production the proxy sends only /ws/ here)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from channels_in.chat.routing import agent_websocket_urlpatterns, visitor_websocket_urlpatterns  # noqa: E402
from tickets.routing import websocket_urlpatterns  # noqa: E402

# The widget's socket runs on customers' sites, so it is outside the allowed-hosts check (its
# consumer checks each site's own origins); everything else stays behind it and session auth.
websocket_application = URLRouter(
    [
        *visitor_websocket_urlpatterns,
        re_path(
            r"",
            AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter([*websocket_urlpatterns, *agent_websocket_urlpatterns]))
            ),
        ),
    ]
)

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
