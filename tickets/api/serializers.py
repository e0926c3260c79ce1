"""Input and output shapes of the tickets API. Type checks only: services decide what is allowed."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from helpdesk.api import StrictInputSerializer
from tickets.models import Channel, DeliveryStatus, Direction, Priority, Status, Team, Visibility

MAX_TEXT = 50_000
# The API speaks priority by name ("high"); the database keeps the int so "most urgent first" is an index order.
PRIORITY_BY_NAME = {p.name.lower(): p.value for p in Priority}


class PriorityField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=list(PRIORITY_BY_NAME), **kwargs)

    def to_representation(self, value):
        return Priority(value).name.lower()

    def to_internal_value(self, data):
        return PRIORITY_BY_NAME[super().to_internal_value(data)]


# ---- references to other objects ---------------------------------------------------------------


class CustomerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# ---- tickets -----------------------------------------------------------------------------------


class TicketOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="pk", help_text="The ticket number people quote; also its id.")
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    priority = PriorityField()
    channel = serializers.ChoiceField(choices=Channel.choices, help_text="The channel the ticket came in on.")
    customer = CustomerRefSerializer()
    assignee = UserRefSerializer(allow_null=True)
    team = TeamRefSerializer(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), source="tags.all", help_text="Tag names.")
    language = serializers.CharField()
    merged_into = serializers.IntegerField(
        source="merged_into_id", allow_null=True, help_text="Set when this ticket was merged into another."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    first_response_at = serializers.DateTimeField(allow_null=True)
    last_customer_message_at = serializers.DateTimeField(allow_null=True)
    solved_at = serializers.DateTimeField(allow_null=True)


class TicketCreateInputSerializer(StrictInputSerializer):
    customer_email = serializers.EmailField(max_length=254)
    customer_name = serializers.CharField(max_length=200, required=False, default="")
    subject = serializers.CharField(max_length=255, required=False, default="")
    text = serializers.CharField(max_length=MAX_TEXT)
    external_id = serializers.CharField(
        max_length=200,
        required=False,
        help_text="Your id for this request: retrying with the same value returns the first ticket (200).",
    )


class TicketUpdateInputSerializer(StrictInputSerializer):
    """Only the fields sent are changed; `assignee: null` / `team: null` unassign."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = PriorityField(required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), allow_null=True, required=False, help_text="A user id."
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False, help_text="A team id."
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50),
        max_length=50,
        required=False,
        help_text="The complete new set of tags (names are slugified).",
    )


class TicketMergeInputSerializer(StrictInputSerializer):
    into = serializers.IntegerField(min_value=1, help_text="Number of the ticket that is kept.")


# ---- messages ----------------------------------------------------------------------------------


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    refused_reason = serializers.CharField(help_text="Why the file was not stored (too large, ...); empty if stored.")
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, attachment) -> str | None:
        if not attachment.file:
            return None
        kwargs = {"number": attachment.message.ticket_id, "attachment_id": attachment.pk}
        return reverse("tickets-api:ticket-attachment", kwargs=kwargs, request=self.context["request"])


class MessageAuthorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["agent", "customer"])
    id = serializers.IntegerField()
    name = serializers.CharField()


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices, help_text="`internal` is a note.")
    author = serializers.SerializerMethodField()
    address = serializers.CharField(help_text="The customer address it came from or went to.")
    subject = serializers.CharField()
    text = serializers.CharField(source="body_text")
    html = serializers.CharField(source="body_html", help_text="Sanitised HTML, if the channel sent any.")
    delivery_status = serializers.ChoiceField(choices=DeliveryStatus.choices, help_text="Outbound messages only.")
    delivery_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    attachments = AttachmentOutputSerializer(many=True)

    @extend_schema_field(MessageAuthorSerializer(allow_null=True))
    def get_author(self, message) -> dict | None:
        if message.author_agent:
            return {"type": "agent", "id": message.author_agent.pk, "name": message.author_agent.display_name}
        if message.author_customer:
            return {"type": "customer", "id": message.author_customer.pk, "name": str(message.author_customer)}
        return None


class ReplyInputSerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=MAX_TEXT)
    status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="Set the ticket's status with the reply (e.g. pending)."
    )


class NoteInputSerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=MAX_TEXT)


# ---- teams and agents --------------------------------------------------------------------------


class TeamOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    members = UserRefSerializer(many=True, source="members.all")


class AgentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=["admin", "agent", "light_agent"])
    teams = TeamRefSerializer(many=True, source="teams.all")
