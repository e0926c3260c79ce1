from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html_join

from channels_in.secrets_admin import SecretsForm
from channels_in.twilio.models import TwilioAccount
from customers.models import IdentityKind
from customers.services import normalise_address


class TwilioAccountForm(SecretsForm):
    secret_fields = ("auth_token",)

    class Meta:
        model = TwilioAccount
        fields = ["name", "account_sid", "auth_token", "phone_number", "whatsapp_number", "team", "active"]

    def clean_phone_number(self) -> str:
        return self._e164("phone_number")

    def clean_whatsapp_number(self) -> str:
        return self._e164("whatsapp_number")

    def _e164(self, field: str) -> str:
        # Webhooks find their account by exact number, so store the form Twilio sends.
        value = self.cleaned_data[field].strip().removeprefix("whatsapp:")
        if not value:
            return ""
        try:
            return normalise_address(IdentityKind.PHONE, value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


@admin.register(TwilioAccount)
class TwilioAccountAdmin(admin.ModelAdmin):
    form = TwilioAccountForm
    list_display = ["name", "account_sid", "phone_number", "whatsapp_number", "team", "active"]
    list_filter = ["active"]
    search_fields = ["name", "account_sid", "phone_number", "whatsapp_number"]
    readonly_fields = ["webhook_urls"]

    @admin.display(description="Webhook URLs to set in Twilio's console")
    def webhook_urls(self, obj: TwilioAccount) -> str:
        names = [("SMS/MMS", "twilio:sms"), ("WhatsApp", "twilio:whatsapp"), ("Status callback", "twilio:status")]
        return format_html_join(
            "", "<div>{}: <code>{}</code></div>", ((label, settings.PUBLIC_URL + reverse(n)) for label, n in names)
        )
