from django.apps import AppConfig


class ChannelsMetaConfig(AppConfig):
    name = "channels_in.social.meta"
    label = "channels_meta"
    verbose_name = "Facebook Messenger and Instagram"
