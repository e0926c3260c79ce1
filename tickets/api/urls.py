from django.urls import path

from tickets.api import presence, views

app_name = "tickets-api"
urlpatterns = [
    path("tickets/", views.TicketListCreateApi.as_view(), name="ticket-list"),
    path("tickets/<int:number>/", views.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<int:number>/merge/", views.TicketMergeApi.as_view(), name="ticket-merge"),
    path("tickets/<int:number>/messages/", views.TicketMessageListApi.as_view(), name="ticket-messages"),
    path("tickets/<int:number>/reply/", views.TicketReplyApi.as_view(), name="ticket-reply"),
    path("tickets/<int:number>/notes/", views.TicketNoteApi.as_view(), name="ticket-notes"),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/",
        views.TicketAttachmentDownloadApi.as_view(),
        name="ticket-attachment",
    ),
    path("teams/", views.TeamListApi.as_view(), name="team-list"),
    path("agents/", views.AgentListApi.as_view(), name="agent-list"),
    path("me/presence/", presence.PresenceDetailApi.as_view(), name="me-presence"),
]
