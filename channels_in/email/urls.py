from django.urls import path

from channels_in.email import views

app_name = "email"
urlpatterns = [
    path("inbound/", views.inbound, name="inbound"),
]
