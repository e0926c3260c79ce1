"""Live chat: visitors, their messages, offers to agents, accept / transfer / end (docs/chat-protocol.md).

Every visitor message goes through tickets.services.ingest() and every assignment through
update_ticket(), so the transcript and its hand-overs are the ticket's timeline; this package adds
only the session (who talks to whom) and the frames pushed to the chat's groups.

Lock order: the chat session, then its ticket (taken by the tickets services), then agent profiles
(pk order), the same tickets-before-profiles order as tickets/services/assign.py, so chat offers and
ticket assignment never deadlock.
"""

from channels_in.chat.services.agents import (
    IDLE_TIMEOUT,
    OFFER_TIMEOUT,
    accept,
    end,
    end_idle,
    may_handle,
    offer,
    offer_waiting,
    transfer,
)
from channels_in.chat.services.status import status
from channels_in.chat.services.visitors import (
    Posted,
    identify,
    open_session,
    post_visitor_message,
    read,
    resume,
    site_config,
    visitor_from_token,
)

__all__ = [
    "IDLE_TIMEOUT",
    "OFFER_TIMEOUT",
    "Posted",
    "accept",
    "end",
    "end_idle",
    "identify",
    "may_handle",
    "offer",
    "offer_waiting",
    "open_session",
    "post_visitor_message",
    "read",
    "resume",
    "site_config",
    "status",
    "transfer",
    "visitor_from_token",
]
