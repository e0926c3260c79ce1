from django.contrib import admin

from channels_in.secrets_admin import SecretsForm
from channels_in.social.meta.models import MetaApp, MetaPage


class MetaAppForm(SecretsForm):
    secret_fields = ("app_secret",)

    class Meta:
        model = MetaApp
        fields = ["name", "app_secret", "verify_token", "active"]
        help_texts = {"app_secret": "From the app's Basic settings."}


class MetaPageForm(SecretsForm):
    secret_fields = ("page_access_token",)

    class Meta:
        model = MetaPage
        fields = ["name", "page_id", "page_access_token", "instagram_id", "team", "active"]
        help_texts = {"page_access_token": "A long-lived page access token with pages_messaging."}


@admin.register(MetaApp)
class MetaAppAdmin(admin.ModelAdmin):
    form = MetaAppForm
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(MetaPage)
class MetaPageAdmin(admin.ModelAdmin):
    form = MetaPageForm
    list_display = ["name", "page_id", "instagram_id", "team", "active"]
    list_filter = ["active", "team"]
    search_fields = ["name", "page_id", "instagram_id"]
