"""Celery tasks of the Facebook Messenger and Instagram channel.

None of its own: webhook payloads are drained and attachments fetched by the shared tasks in
channels_in/tasks.py (through the registry), and replies are sent by tickets.tasks.
"""
