from django.apps import AppConfig


class ChannelsPhoneConfig(AppConfig):
    name = "channels_in.phone"
    label = "channels_phone"
    verbose_name = "Phone calls (Twilio Voice)"
