from tickets.models.agent import AgentProfile, Presence
from tickets.models.choices import Automatic, Channel, DeliveryStatus, Direction, Priority, Status, Visibility
from tickets.models.event import TicketEvent
from tickets.models.failed import FailedInbound
from tickets.models.hours import BusinessCalendar, BusinessHours, Holiday
from tickets.models.macro import Macro
from tickets.models.message import Attachment, Message
from tickets.models.routing import (
    ActionKind,
    Automation,
    AutomationAction,
    AutomationRun,
    Condition,
    Operator,
    RoutingRule,
    RuleAction,
    RuleCondition,
)
from tickets.models.sla import SlaClock, SlaPolicy
from tickets.models.team import Team
from tickets.models.ticket import Tag, Ticket

__all__ = [
    "ActionKind",
    "AgentProfile",
    "Attachment",
    "Automatic",
    "Automation",
    "AutomationAction",
    "AutomationRun",
    "BusinessCalendar",
    "BusinessHours",
    "Channel",
    "Condition",
    "DeliveryStatus",
    "Direction",
    "FailedInbound",
    "Holiday",
    "Macro",
    "Message",
    "Operator",
    "Presence",
    "Priority",
    "RoutingRule",
    "RuleAction",
    "RuleCondition",
    "SlaClock",
    "SlaPolicy",
    "Status",
    "Tag",
    "Team",
    "Ticket",
    "TicketEvent",
    "Visibility",
]
