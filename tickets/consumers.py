"""The agent's notification socket: joins the agent's groups and forwards events as JSON.

It also tells the agents on one ticket about each other (collision detection): opening a ticket
(`{"watch": id}`) announces the agent as viewing, the others answer that they are there,
`{"typing": id, "state": bool}` says they are writing a reply, and closing the page says they left.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from helpdesk.roles import Role, is_staff_member, role_of
from tickets import events
from tickets.selectors import visible_tickets


class AgentConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if not await database_sync_to_async(is_staff_member)(user):
            await self.close(code=4403)
            return
        self.groups_joined = await database_sync_to_async(self._groups)(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    def _groups(self, user) -> list[str]:
        groups = [events.AGENTS_GROUP, events.agent_group(user.pk)]
        if role_of(user) == Role.ADMIN:
            from tickets.models import Team

            team_ids = Team.objects.values_list("pk", flat=True)
        else:
            team_ids = user.teams.values_list("pk", flat=True)
        return groups + [events.team_group(pk) for pk in team_ids]

    async def receive_json(self, content, **kwargs):
        # {"watch": <ticket id>}: follow one ticket the agent has open (only if they may see it).
        ticket_id = content.get("watch")
        if isinstance(ticket_id, int) and await database_sync_to_async(self._may_see)(ticket_id):
            group = events.ticket_group(ticket_id)
            self.groups_joined.append(group)
            self.watching = [*getattr(self, "watching", []), ticket_id]
            await self.channel_layer.group_add(group, self.channel_name)
            await self._announce(ticket_id, "viewing")
        typing = content.get("typing")
        if typing in getattr(self, "watching", []):
            await self._announce(typing, "typing" if content.get("state") else "viewing")

    def _may_see(self, ticket_id: int) -> bool:
        return visible_tickets(self.scope["user"]).filter(pk=ticket_id).exists()

    async def _announce(self, ticket_id: int, state: str) -> None:
        """Tell the ticket's other viewers what this agent does there: viewing, typing, here, left."""
        user = self.scope["user"]
        event = {"type": "ticket.viewer", "ticket": ticket_id, "user": user.pk, "name": user.display_name}
        await self.channel_layer.group_send(
            events.ticket_group(ticket_id), {"type": "helpdesk.event", "event": event | {"state": state}}
        )

    async def disconnect(self, code):
        for ticket_id in getattr(self, "watching", []):
            await self._announce(ticket_id, "left")
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def helpdesk_event(self, message):
        event = message["event"]
        if event.get("type") == "ticket.viewer":
            if event["user"] == self.scope["user"].pk:
                return  # our own announcement
            if event["state"] == "viewing":
                # Someone opened the ticket: tell them we are here too (no answer to an answer).
                await self._announce(event["ticket"], "here")
        await self.send_json(event)

    async def helpdesk_events(self, message):
        """Several events for one group at once (a batch of inbound mail), one frame each."""
        for event in message["events"]:
            await self.send_json(event)
