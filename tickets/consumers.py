"""The agent's notification socket: joins the agent's groups and forwards events as JSON."""

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
            await self.channel_layer.group_add(group, self.channel_name)

    def _may_see(self, ticket_id: int) -> bool:
        return visible_tickets(self.scope["user"]).filter(pk=ticket_id).exists()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def helpdesk_event(self, message):
        await self.send_json(message["event"])

    async def helpdesk_events(self, message):
        """Several events for one group at once (a batch of inbound mail), one frame each."""
        for event in message["events"]:
            await self.send_json(event)
