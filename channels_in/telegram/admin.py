from django import forms
from django.contrib import admin

from channels_in.telegram.models import TelegramBot, bot_id_from_token


class TelegramBotForm(forms.ModelForm):
    """The stored token is never sent back to the browser; an empty field keeps it."""

    token = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="From @BotFather. Leave empty to keep the current token.",
    )

    class Meta:
        model = TelegramBot
        fields = ["name", "token", "team", "active"]

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token:
            if self.instance.pk:
                return self.instance.token
            raise forms.ValidationError("Enter the bot's token.")
        bot_id = bot_id_from_token(token)
        # bot_id is derived, not a form field, so the form's own unique check does not cover it.
        if TelegramBot.objects.filter(bot_id=bot_id).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"Bot {bot_id} is already configured.")
        return token


@admin.register(TelegramBot)
class TelegramBotAdmin(admin.ModelAdmin):
    form = TelegramBotForm
    list_display = ["name", "bot_id", "team", "active"]
    list_filter = ["active"]
    search_fields = ["name", "bot_id"]
    readonly_fields = ["bot_id"]
