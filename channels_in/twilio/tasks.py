"""Celery tasks of the Twilio: SMS, MMS and WhatsApp channel."""
