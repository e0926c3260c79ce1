from django.contrib import admin

from channels_in.secrets_admin import SecretsForm
from channels_in.social.x.models import XAccount, XSearch

_SECRETS = ("bearer_token", "consumer_key", "consumer_secret", "access_token", "access_token_secret")


class XAccountForm(SecretsForm):
    secret_fields = _SECRETS

    class Meta:
        model = XAccount
        fields = ["handle", "user_id", "team", "active", "read_dms", "poll_interval", *_SECRETS]


class XSearchInline(admin.TabularInline):
    model = XSearch
    fields = ["query", "team", "active", "since_id"]
    readonly_fields = ["since_id"]
    extra = 0


@admin.register(XAccount)
class XAccountAdmin(admin.ModelAdmin):
    form = XAccountForm
    inlines = [XSearchInline]
    list_display = ["handle", "user_id", "team", "active", "last_polled_at", "backoff_until", "last_error"]
    list_filter = ["active"]
    search_fields = ["handle", "user_id"]
    readonly_fields = [
        "mentions_since_id",
        "dm_since_id",
        "next_poll_at",
        "backoff_until",
        "last_polled_at",
        "last_error",
    ]
