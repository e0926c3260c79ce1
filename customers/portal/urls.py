from django.contrib.auth import views as auth_views
from django.urls import path

from customers.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.request_list, name="requests"),
    path("login/", views.login_request, name="login"),
    path("login/sent/", views.login_sent, name="login-sent"),
    path("login/password/", views.password_login, name="password-login"),
    path("login/<str:token>/", views.login_link, name="login-link"),
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:login"), name="logout"),
    path("requests/<int:number>/", views.request_detail, name="ticket"),
    path("requests/<int:number>/reply/", views.reply, name="reply"),
    path("requests/<int:number>/solve/", views.solve, name="solve"),
    path("requests/<int:number>/rate/", views.rate, name="rate"),
    path("requests/<int:number>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("new/", views.new_request, name="new-request"),
    path("new/thanks/", views.new_request_thanks, name="new-request-thanks"),
    path("profile/", views.profile, name="profile"),
    path("profile/addresses/<int:identity_id>/remove/", views.identity_remove, name="identity-remove"),
    path("profile/password/", views.set_password, name="set-password"),
    path("profile/export/", views.export, name="export"),
    path("profile/erasure/", views.erasure, name="erasure"),
]
