from django.urls import path

from tickets.views import outreach, presence, queue, ticket

app_name = "tickets"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("start/<int:customer_id>/", outreach.start, name="start"),
    path("presence/", presence.presence, name="presence"),
    path("<int:number>/", ticket.detail, name="detail"),
    path("<int:number>/reply/", ticket.reply, name="reply"),
    path("<int:number>/update/", ticket.update, name="update"),
    path("<int:number>/merge/", ticket.merge, name="merge"),
    path("<int:number>/macros/<int:macro_id>/", ticket.macro, name="macro"),
    path("<int:number>/attachments/<int:attachment_id>/", ticket.attachment, name="attachment"),
]
