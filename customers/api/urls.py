from django.urls import path

from customers.api import views

app_name = "customers-api"
urlpatterns = [
    path("customers/", views.CustomerListApi.as_view(), name="customer-list"),
    path("customers/<int:customer_id>/", views.CustomerDetailApi.as_view(), name="customer-detail"),
    path("customers/<int:customer_id>/merge/", views.CustomerMergeApi.as_view(), name="customer-merge"),
    path(
        "customers/<int:customer_id>/identities/", views.CustomerIdentityCreateApi.as_view(), name="customer-identities"
    ),
]
