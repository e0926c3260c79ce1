from django.urls import path

from knowledge_base.api import views

app_name = "kb-api"
urlpatterns = [
    path("kb/search/", views.KbSearchApi.as_view(), name="kb-search"),
]
