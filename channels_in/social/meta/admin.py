from django import forms
from django.contrib import admin

from channels_in.social.meta.models import MetaApp, MetaPage


def _kept_secret(form: forms.ModelForm, field: str, what: str) -> str:
    """A stored secret is never sent back to the browser, so an empty field keeps it."""
    value = form.cleaned_data[field]
    if value:
        return value
    if form.instance.pk:
        return getattr(form.instance, field)
    raise forms.ValidationError(f"Enter the {what}.")


class MetaAppForm(forms.ModelForm):
    app_secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="From the app's Basic settings. Leave empty to keep the current one.",
    )

    class Meta:
        model = MetaApp
        fields = ["name", "app_secret", "verify_token", "active"]

    def clean_app_secret(self) -> str:
        return _kept_secret(self, "app_secret", "app secret")


class MetaPageForm(forms.ModelForm):
    page_access_token = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="A long-lived page access token with pages_messaging. Leave empty to keep the current one.",
    )

    class Meta:
        model = MetaPage
        fields = ["name", "page_id", "page_access_token", "instagram_id", "team", "active"]

    def clean_page_access_token(self) -> str:
        return _kept_secret(self, "page_access_token", "page access token")


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
