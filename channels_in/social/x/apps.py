from django.apps import AppConfig


class ChannelsXConfig(AppConfig):
    name = "channels_in.social.x"
    label = "channels_x"
    verbose_name = "X (Twitter)"
