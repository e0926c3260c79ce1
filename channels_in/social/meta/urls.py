from django.urls import path

from channels_in.social.meta import views

app_name = "meta"
urlpatterns = [
    path("", views.webhook, name="webhook"),
]
