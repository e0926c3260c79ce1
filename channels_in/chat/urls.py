from django.urls import path

from channels_in.chat import views

app_name = "chat"
urlpatterns = [
    path("sessions/<int:pk>/accept/", views.accept, name="accept"),
    path("sessions/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("sessions/<int:pk>/end/", views.end, name="end"),
    path("<str:site_key>/session/", views.session, name="session"),
    path("<str:site_key>/upload/", views.upload, name="upload"),
    path("<str:site_key>/files/<str:token>/", views.file, name="file"),
]
