"""The public help centre, mounted at /help/ (namespace "kb")."""

from django.urls import path

from knowledge_base import views

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("suggest/", views.suggest_json, name="suggest"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("sections/<int:pk>-<slug:slug>/", views.section, name="section"),
    path("articles/<int:pk>-<slug:slug>/", views.article, name="article"),
    path("articles/<int:pk>/", views.article, name="article-short"),
    path("articles/<int:pk>/feedback/", views.feedback, name="feedback"),
]
