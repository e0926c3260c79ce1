"""Celery tasks of the Phone calls (Twilio Voice) channel."""
