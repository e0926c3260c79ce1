from django.apps import AppConfig


class ChannelsTelegramConfig(AppConfig):
    name = "channels_in.telegram"
    label = "channels_telegram"
    verbose_name = "Telegram"
