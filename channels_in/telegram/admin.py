from django import forms
from django.contrib import admin

from channels_in.secrets_admin import SecretsForm
from channels_in.telegram.models import TelegramBot, bot_id_from_token


class TelegramBotForm(SecretsForm):
    secret_fields = ("token",)

    class Meta:
        model = TelegramBot
        fields = ["name", "token", "team", "active"]
        help_texts = {"token": "From @BotFather."}

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        # bot_id is derived, not a form field, so the form's own unique check does not cover it.
        if token and TelegramBot.objects.filter(bot_id=bot_id_from_token(token)).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"Bot {bot_id_from_token(token)} is already configured.")
        return token


@admin.register(TelegramBot)
class TelegramBotAdmin(admin.ModelAdmin):
    form = TelegramBotForm
    list_display = ["name", "bot_id", "team", "active"]
    list_filter = ["active"]
    search_fields = ["name", "bot_id"]
    readonly_fields = ["bot_id"]
