from django.urls import path

from channels_in.twilio import views

app_name = "twilio"
urlpatterns = [
    path("sms/", views.sms, name="sms"),
    path("whatsapp/", views.whatsapp, name="whatsapp"),
    path("status/", views.status, name="status"),
    path("media/<str:token>/", views.media, name="media"),
]
