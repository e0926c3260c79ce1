"""Agent replies to Telegram: the text with sendMessage, each attachment with sendDocument."""

from channels_in.base import OutboundSender, SendError
from channels_in.telegram import api
from channels_in.telegram.inbound import message_id
from channels_in.telegram.models import TelegramBot
from tickets.models.choices import Channel

# sendMessage takes at most 4096 characters (counted in UTF-16); a margin keeps emoji-heavy text within it.
MAX_TEXT = 4000


class TelegramSender(OutboundSender):
    def send(self, message) -> str:
        """Send the reply from the bot the customer wrote to; the id is that of its first part.

        Telegram has no idempotency key: a retry after an attachment failed sends the text again.
        """
        bot = _bot_for(message.channel_address)
        ticket = message.ticket
        chat_id = ticket.conversation_id if ticket.channel == Channel.TELEGRAM and ticket.conversation_id else ""
        chat_id = chat_id or message.address
        if not chat_id:
            raise SendError("The customer has no Telegram chat to answer in.", permanent=True)
        text = message.body_text or ""
        first = None
        for start in range(0, len(text), MAX_TEXT):
            sent = api.call(bot, "sendMessage", json={"chat_id": chat_id, "text": text[start : start + MAX_TEXT]})
            first = first or sent
        for attachment in message.attachments.exclude(file=""):
            with attachment.file.open("rb") as content:
                sent = api.call(
                    bot,
                    "sendDocument",
                    data={"chat_id": chat_id},
                    files={"document": (attachment.filename, content, attachment.content_type)},
                )
            first = first or sent
        if first is None:
            raise SendError("The reply is empty.", permanent=True)
        return message_id(bot.bot_id, first["chat"]["id"], first["message_id"])


def _bot_for(channel_address: str) -> TelegramBot:
    """The bot a message left from (its bot id), or the only one for a ticket that came another way."""
    bot = TelegramBot.for_bot_id(int(channel_address)) if channel_address.isdigit() else TelegramBot.default()
    if bot is None:
        raise SendError(f"No Telegram bot {channel_address} is configured to send from.", permanent=True)
    return bot
