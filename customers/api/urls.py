from django.urls import path  # noqa: F401

app_name = "customers-api"
urlpatterns: list = []
