"""Input and output shapes of the customers API. Type checks only: customers.services decides."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import IdentityKind
from helpdesk.api import StrictInputSerializer
from tickets.api.serializers import PriorityField
from tickets.models import Channel, Status


class CustomerFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Part of a name or of an address (e-mail, phone, handle).",
    )


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IdentityOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=IdentityKind.choices)
    address = serializers.CharField(help_text="Normalised: lower-case e-mail, E.164 phone, ...")
    display_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class CustomerTicketSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="pk")
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    priority = PriorityField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CustomerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organization = OrganizationRefSerializer(allow_null=True)
    identities = IdentityOutputSerializer(many=True, source="identities.all")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CustomerDetailOutputSerializer(CustomerOutputSerializer):
    """A profile with the tickets the viewer may see; the view passes those in `context["tickets"]`."""

    language = serializers.CharField()
    time_zone = serializers.CharField()
    notes = serializers.CharField()
    merged_into = serializers.IntegerField(
        source="merged_into_id", allow_null=True, help_text="Set when this customer was merged into another."
    )
    tickets = serializers.SerializerMethodField(help_text="Newest first, at most 50.")

    @extend_schema_field(CustomerTicketSerializer(many=True))
    def get_tickets(self, customer) -> list:
        return CustomerTicketSerializer(self.context["tickets"], many=True).data


class CustomerMergeInputSerializer(StrictInputSerializer):
    into = serializers.IntegerField(min_value=1, help_text="Id of the customer that is kept.")


class IdentityCreateInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=IdentityKind.choices)
    address = serializers.CharField(max_length=320)
