from django.apps import AppConfig


class ChannelsChatConfig(AppConfig):
    name = "channels_in.chat"
    label = "channels_chat"
    verbose_name = "Live chat"
