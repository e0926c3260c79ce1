"""The signed-in agent's presence over REST: automatic assignment gives tickets only to agents online."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import INPUT_ERRORS, StrictInputSerializer
from helpdesk.permissions import IsAgent
from tickets.models import Presence
from tickets.services import assign

# Nothing here is looked up by id, so there is no 404.
_ERRORS = {code: response for code, response in INPUT_ERRORS.items() if code != 404}
_READ_ERRORS = {code: response for code, response in _ERRORS.items() if code != 400}


class PresenceInputSerializer(StrictInputSerializer):
    presence = serializers.ChoiceField(choices=Presence.choices)


class PresenceOutputSerializer(serializers.Serializer):
    presence = serializers.ChoiceField(choices=Presence.choices)
    presence_changed_at = serializers.DateTimeField(allow_null=True, help_text="Empty until it first changes.")


@extend_schema(tags=["agents"])
class PresenceDetailApi(APIView):
    permission_classes = [IsAgent]
    light_agent_allowed = True  # their own presence, not a change to any ticket

    @extend_schema(summary="Read your presence", responses={200: PresenceOutputSerializer, **_READ_ERRORS})
    def get(self, request):
        return Response(PresenceOutputSerializer(assign.agent_profile_of(request.user)).data)

    @extend_schema(
        summary="Set your presence",
        description="Only agents who are `online` get tickets assigned automatically; "
        "coming online hands you waiting tickets of your teams.",
        request=PresenceInputSerializer,
        responses={200: PresenceOutputSerializer, **_ERRORS},
    )
    def put(self, request):
        serializer = PresenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = assign.set_presence(request.user, serializer.validated_data["presence"])
        return Response(PresenceOutputSerializer(profile).data)
