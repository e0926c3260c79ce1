"""Tickets, their messages, teams and agents over REST. Views parse input and call selectors/services."""

import uuid

from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import INPUT_ERRORS, PAGE_PARAMETERS, READ_ERRORS
from helpdesk.roles import STAFF_ROLES
from tickets import services
from tickets.api.filters import TicketApiFilter
from tickets.api.serializers import (
    AgentOutputSerializer,
    MessageOutputSerializer,
    NoteInputSerializer,
    ReplyInputSerializer,
    TeamOutputSerializer,
    TicketCreateInputSerializer,
    TicketMergeInputSerializer,
    TicketOutputSerializer,
    TicketUpdateInputSerializer,
)
from tickets.inbound import InboundMessage
from tickets.models import Attachment, Channel, Team
from tickets.selectors import messages_for, queue_list, ticket_get_for


@extend_schema(tags=["tickets"])
class TicketListCreateApi(GenericAPIView):
    # The generic view brings the queue's filters (shared TicketFilter) and their OpenAPI description.
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketApiFilter

    def get_queryset(self):
        return queue_list(self.request.user)

    @extend_schema(
        summary="List tickets",
        description="The agent queue: tickets you may see, with the queue's filters, most recently updated first.",
        parameters=PAGE_PARAMETERS,
        responses={200: TicketOutputSerializer(many=True), **INPUT_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TicketOutputSerializer(page, many=True).data)

    @extend_schema(
        summary="Create a ticket for a customer",
        description="Enters through the same path as every channel (channel `api`); the reply goes out by e-mail.",
        request=TicketCreateInputSerializer,
        responses={
            201: TicketOutputSerializer,
            200: OpenApiResponse(TicketOutputSerializer, description="A retry with a known `external_id`."),
            **INPUT_ERRORS,
        },
    )
    def post(self, request):
        serializer = TicketCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Scoped per user, so two integrations that number their requests alike do not collide.
        key = data.get("external_id") or uuid.uuid4().hex
        message = InboundMessage(
            channel=Channel.API,
            external_id=f"api:{request.user.pk}:{key}",
            sender_address=data["customer_email"],
            sender_name=data["customer_name"],
            subject=data["subject"],
            text=data["text"],
        )
        try:
            result = services.ingest(message)
        except services.IngestError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        # Routing runs on commit and may already have assigned it.
        result.ticket.refresh_from_db()
        code = status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED
        return Response(TicketOutputSerializer(result.ticket).data, status=code)


@extend_schema(tags=["tickets"])
class TicketDetailApi(APIView):
    @extend_schema(summary="Read a ticket", responses={200: TicketOutputSerializer, **READ_ERRORS})
    def get(self, request, number: int):
        return Response(TicketOutputSerializer(ticket_get_for(request.user, number)).data)

    @extend_schema(
        summary="Change status, priority, assignee, team or tags",
        request=TicketUpdateInputSerializer,
        responses={200: TicketOutputSerializer, **INPUT_ERRORS},
    )
    def patch(self, request, number: int):
        ticket = ticket_get_for(request.user, number)
        serializer = TicketUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.update_ticket(ticket=ticket, by=request.user, **serializer.validated_data)
        return Response(TicketOutputSerializer(ticket).data)


@extend_schema(tags=["tickets"])
class TicketMergeApi(APIView):
    @extend_schema(
        summary="Merge this ticket into another",
        description="Moves every message onto the `into` ticket and closes this one. Returns the kept ticket.",
        request=TicketMergeInputSerializer,
        responses={200: TicketOutputSerializer, **INPUT_ERRORS},
    )
    def post(self, request, number: int):
        source = ticket_get_for(request.user, number)
        serializer = TicketMergeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = serializer.validated_data["into"]
        try:
            target = ticket_get_for(request.user, into)
        except Http404:
            # Same answer for "does not exist" and "not yours", so numbers reveal nothing.
            raise ValidationError({"into": [f"There is no ticket #{into} you can see."]}) from None
        return Response(
            TicketOutputSerializer(services.merge_tickets(source=source, target=target, by=request.user)).data
        )


@extend_schema(tags=["tickets"])
class TicketMessageListApi(GenericAPIView):
    filter_backends = []  # no filters: the generic view is here for pagination only

    @extend_schema(
        summary="List a ticket's messages",
        description="Messages and internal notes, oldest first, with attachment metadata.",
        parameters=PAGE_PARAMETERS,
        responses={200: MessageOutputSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, number: int):
        ticket = ticket_get_for(request.user, number)
        page = self.paginate_queryset(messages_for(ticket))
        return self.get_paginated_response(MessageOutputSerializer(page, many=True, context={"request": request}).data)


@extend_schema(tags=["tickets"])
class TicketReplyApi(APIView):
    @extend_schema(
        summary="Reply to the customer",
        description="Queued and sent on the ticket's channel; `delivery_status` shows how the send went.",
        request=ReplyInputSerializer,
        responses={201: MessageOutputSerializer, **INPUT_ERRORS},
    )
    def post(self, request, number: int):
        ticket = ticket_get_for(request.user, number)
        serializer = ReplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.reply(ticket=ticket, author=request.user, **serializer.validated_data)
        return Response(MessageOutputSerializer(message, context={"request": request}).data, status=201)


@extend_schema(tags=["tickets"])
class TicketNoteApi(APIView):
    light_agent_allowed = True

    @extend_schema(
        summary="Add an internal note",
        description="Seen by agents only, never sent. Light agents may add notes.",
        request=NoteInputSerializer,
        responses={201: MessageOutputSerializer, **INPUT_ERRORS},
    )
    def post(self, request, number: int):
        ticket = ticket_get_for(request.user, number)
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.reply(ticket=ticket, author=request.user, internal=True, **serializer.validated_data)
        return Response(MessageOutputSerializer(message, context={"request": request}).data, status=201)


@extend_schema(tags=["tickets"])
class TicketAttachmentDownloadApi(APIView):
    @extend_schema(
        summary="Download an attachment",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **READ_ERRORS},
    )
    def get(self, request, number: int, attachment_id: int):
        ticket = ticket_get_for(request.user, number)
        attachment = Attachment.objects.filter(pk=attachment_id, message__ticket=ticket).exclude(file="").first()
        if attachment is None:
            raise NotFound("No such attachment on this ticket.")
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise NotFound("The file of this attachment is no longer stored.") from None
        return FileResponse(
            handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
        )


@extend_schema(tags=["teams"])
class TeamListApi(GenericAPIView):
    def get_queryset(self):
        return Team.objects.prefetch_related("members")

    @extend_schema(
        summary="List teams",
        parameters=PAGE_PARAMETERS,
        responses={200: TeamOutputSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TeamOutputSerializer(page, many=True).data)


@extend_schema(tags=["agents"])
class AgentListApi(GenericAPIView):
    def get_queryset(self):
        return get_user_model().objects.filter(is_active=True, role__in=STAFF_ROLES).prefetch_related("teams")

    @extend_schema(
        summary="List agents",
        description="Admins, agents and light agents who can sign in, with their teams.",
        parameters=PAGE_PARAMETERS,
        responses={200: AgentOutputSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AgentOutputSerializer(page, many=True).data)
