from django.apps import AppConfig


class ChannelsTwilioConfig(AppConfig):
    name = "channels_in.twilio"
    label = "channels_twilio"
    verbose_name = "Twilio: SMS, MMS and WhatsApp"
