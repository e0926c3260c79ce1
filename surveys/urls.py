from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("survey/<str:token>/", views.csat, name="csat"),
    path("survey/<str:token>/good/", views.csat, {"choice": "good"}, name="csat_good"),
    path("survey/<str:token>/bad/", views.csat, {"choice": "bad"}, name="csat_bad"),
    path("survey/<str:token>/thanks/", views.csat_thanks, name="csat_thanks"),
    path("nps/<str:token>/", views.nps, name="nps"),
    path("nps/<str:token>/thanks/", views.nps_thanks, name="nps_thanks"),
]
