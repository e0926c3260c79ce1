from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_index, name="list"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/identities/", views.identity_add, name="identity-add"),
    path("<int:customer_id>/merge/", views.merge, name="merge"),
]
