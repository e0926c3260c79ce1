"""Celery tasks of the X (Twitter) channel."""
