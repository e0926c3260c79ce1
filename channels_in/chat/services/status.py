"""The `status` frames the visitor sees (waiting / active / ended / offline), in the site's language."""

from django.utils import translation
from django.utils.translation import gettext as _

from channels_in.chat import events, selectors
from channels_in.chat.models import ChatSession, ChatSite

State = ChatSession.State


def status(session: ChatSession) -> dict:
    """The session's status frame as the visitor should see it now."""
    if session.state == State.ACTIVE:
        return status_frame(session, "active")
    if session.state == State.ENDED:
        return status_frame(session, "ended")
    if session.offered_to_id or selectors.team_online(session.team_id):
        return status_frame(session, "waiting", busy=not session.offered_to_id)
    return status_frame(session, "offline")


def status_frame(session: ChatSession, state: str, *, busy: bool = False) -> dict:
    """`busy`: agents are online, but none has room for another chat."""
    with translation.override(session.site.language):
        if state == "active":
            text = _("You are chatting with %(agent)s.") % {
                "agent": session.agent.display_name if session.agent else _("an agent")
            }
        elif state == "ended":
            text = _("The chat has ended.")
        elif state == "offline":
            text = _offline_text()
        elif busy:
            text = _("All our agents are busy; one of them will be with you shortly.")
        else:
            text = _("Connecting you with an agent…")
    agent = session.agent if state == "active" else None
    return events.status_frame(chat=session.pk, ticket=session.ticket_id, state=state, agent=agent, text=text)


def _offline_text() -> str:
    return _(
        "Nobody is online right now. Leave your message: we will answer by e-mail if you give us your "
        "address, or here on your next visit."
    )


def no_chat_status(site: ChatSite) -> dict:
    """Before the first message: `offline` when nobody could answer, else `waiting` with the greeting."""
    with translation.override(site.language):
        online = selectors.team_online(site.team_id)
        text = site.greeting if online else _offline_text()
    return events.status_frame(chat=None, ticket=None, state="waiting" if online else "offline", agent=None, text=text)
