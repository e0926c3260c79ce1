"""Twilio (SMS, WhatsApp, phone): a single account from the environment; more in the admin."""

from .env import env

TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_PHONE_NUMBER = env.str("TWILIO_PHONE_NUMBER", default="")
TWILIO_WHATSAPP_NUMBER = env.str("TWILIO_WHATSAPP_NUMBER", default="")
# Largest webhook body accepted (form-encoded; an SMS or WhatsApp message is a few KB).
TWILIO_WEBHOOK_MAX_BYTES = env.int("TWILIO_WEBHOOK_MAX_BYTES", default=64 * 1024)
# Seconds a call to Twilio's API may take before the send is retried later.
TWILIO_API_TIMEOUT = env.int("TWILIO_API_TIMEOUT", default=15)
