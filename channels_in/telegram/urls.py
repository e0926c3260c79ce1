from django.urls import path

from channels_in.telegram import views

app_name = "telegram"
urlpatterns = [
    path("<int:bot_id>/", views.webhook, name="webhook"),
]
