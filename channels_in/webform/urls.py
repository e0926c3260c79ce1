from django.urls import path

from channels_in.webform import views

app_name = "webform"
urlpatterns = [
    path("", views.contact, name="contact"),
    path("thanks/", views.thanks, name="thanks"),
]
