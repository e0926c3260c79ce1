from django import forms
from django.contrib import admin

from channels_in.social.x.models import XAccount, XSearch

_SECRETS = ["bearer_token", "consumer_key", "consumer_secret", "access_token", "access_token_secret"]


class XAccountForm(forms.ModelForm):
    """Stored secrets are never sent back to the browser; a field left empty keeps its secret."""

    class Meta:
        model = XAccount
        fields = ["handle", "user_id", "team", "active", "read_dms", "poll_interval", *_SECRETS]
        widgets = {name: forms.PasswordInput(render_value=False) for name in _SECRETS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _SECRETS:
            self.fields[name].help_text = "Leave empty to keep the current one."

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in _SECRETS:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


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
