"""Celery tasks of the Facebook Messenger and Instagram channel."""
