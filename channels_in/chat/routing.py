"""WebSocket routes of the chat (helpdesk/asgi.py mounts them).

The widget's socket runs on customers' own sites, so it must not sit behind
AllowedHostsOriginValidator (which accepts only our hosts): VisitorConsumer checks the Origin
against its site's allowed origins itself. The agents' socket is cookie-authenticated and goes
behind the validator and AuthMiddlewareStack like tickets.routing.
"""

from django.urls import path

from channels_in.chat.consumers import AgentChatConsumer, VisitorConsumer

visitor_websocket_urlpatterns = [path("ws/chat/<str:site_key>/", VisitorConsumer.as_asgi())]
agent_websocket_urlpatterns = [path("ws/agent/chat/", AgentChatConsumer.as_asgi())]
