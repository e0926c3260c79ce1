"""Twilio Voice webhooks, mounted at /hooks/twilio/voice/ (see channels_in/phone/views.py)."""

from django.urls import path

from channels_in.phone import views

app_name = "phone"
urlpatterns = [
    path("", views.incoming, name="incoming"),
    path("menu/", views.menu, name="menu"),
    path("done/", views.done, name="done"),
    path("status/", views.status, name="status"),
    path("recording/", views.recording, name="recording"),
    path("transcription/", views.transcription, name="transcription"),
]
