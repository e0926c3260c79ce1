"""Agent actions of the phone panel, mounted at /calls/."""

from django.urls import path

from channels_in.phone import agent_views

app_name = "calls"
urlpatterns = [
    path("tickets/<int:number>/callbacks/", agent_views.request_callback, name="request_callback"),
    path("tickets/<int:number>/log/", agent_views.log_call, name="log_call"),
    path("callbacks/<int:callback_id>/done/", agent_views.callback_done, name="callback_done"),
]
