"""Celery tasks of the Telegram channel."""
