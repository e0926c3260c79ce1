"""Agent replies to a chat: pushed to the visitor's widget, or by e-mail once the chat has ended.

A chat ticket's reply channel stays `chat` (channels_in.registry has no _REPLY_CHANNEL entry for
it): whether the visitor can still read it in the widget depends on the session, which a static
channel -> channel map cannot know. So, as WhatsApp falls back to SMS, the decision is made here at
send time and noted in `message.meta` (`sent_as`). A reply pushed to the widget is also there on the
visitor's next visit: `resume` sends every public message of the chat they have not seen.
"""

import copy

from channels_in.base import OutboundSender, SendError
from channels_in.chat import events, selectors
from channels_in.chat.models import ChatSession
from channels_in.registry import sender_for
from helpdesk.realtime import publish
from tickets.models import Channel


class ChatSender(OutboundSender):
    def send(self, message) -> str:
        session = selectors.session_for_ticket(message.ticket_id)
        if session is None:
            raise SendError("This ticket has no live chat to answer in.", permanent=True)
        if session.state == ChatSession.State.ENDED:
            email = selectors.customer_email(message.ticket.customer_id)
            if email:
                return self._by_email(message, email)
        publish(events.groups(session), events.message_frame(message, session=session))
        return f"out:{message.pk}"

    @staticmethod
    def _by_email(message, email: str) -> str:
        """The visitor left but gave an address: the reply reaches them there (threaded by ticket number)."""
        mail = copy.copy(message)
        mail.address, mail.channel_address = email, ""
        provider_id = sender_for(Channel.EMAIL).send(mail)
        message.meta = {
            **(message.meta or {}),
            "sent_as": Channel.EMAIL,
            "sent_to": email,
            "fallback_reason": "The chat had ended; sent by e-mail.",
        }
        return provider_id
