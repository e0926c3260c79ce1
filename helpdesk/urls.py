from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from helpdesk import views as helpdesk_views

api_v1 = [
    path("", include("tickets.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("knowledge_base.api.urls")),
    path("", include("analytics.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="tickets:queue", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("profile/", helpdesk_views.profile, name="profile"),
    path("tickets/", include("tickets.urls")),
    path("customers/", include("customers.urls")),
    path("contact/", include("channels_in.webform.urls")),
    path("portal/", include("customers.portal.urls")),
    path("chat/", include("channels_in.chat.urls")),
    path("help/", include("knowledge_base.urls")),
    path("", include("surveys.urls")),
    path("hooks/email/", include("channels_in.email.urls")),
    path("hooks/twilio/voice/", include("channels_in.phone.urls")),
    path("calls/", include("channels_in.phone.agent_urls")),
    path("hooks/twilio/", include("channels_in.twilio.urls")),
    path("hooks/telegram/", include("channels_in.telegram.urls")),
    path("hooks/meta/", include("channels_in.social.meta.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
