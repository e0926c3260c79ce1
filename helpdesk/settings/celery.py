"""Celery: a killed worker's task is redelivered, never lost (see DESIGN.md, "Running")."""

from .env import env

REDIS_URL = env.str("REDIS_URL", default="")

# Embedded default (no REDIS_URL): tasks run eagerly in-process and the embedded scheduler
# (helpdesk/scheduler.py) fires the beat schedule inside the web process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task only after `visibility_timeout` (default: an hour), and
# workers look for such tasks every interval x throttle seconds (default: 100 s). Together: a task
# of a killed worker runs again within about visibility + interval seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
EMBEDDED_SCHEDULER = env.bool("EMBEDDED_SCHEDULER", default=CELERY_TASK_ALWAYS_EAGER)

# Seconds between polls of the IMAP mailboxes (configured in the admin).
EMAIL_POLL_INTERVAL = env.int("EMAIL_POLL_INTERVAL", default=60)
# Task modules outside an app's top-level tasks.py, which autodiscovery does not find.
CELERY_IMPORTS = [
    "channels_in.email.tasks",
    "channels_in.twilio.tasks",
    "channels_in.phone.tasks",
    "channels_in.telegram.tasks",
    "channels_in.social.meta.tasks",
    "channels_in.social.x.tasks",
    "channels_in.chat.tasks",
]

# The one beat schedule; django-celery-beat syncs it into the database, the embedded scheduler
# runs it directly. Intervals are in seconds.
CELERY_BEAT_SCHEDULE = {
    "resend-due-outbound": {"task": "tickets.tasks.resend_due_messages_task", "schedule": 30.0},
    "sla-sweep": {"task": "tickets.tasks.sla_sweep_task", "schedule": 60.0},
    # Tickets nobody could take when they came (no agent online with room), as agents free up.
    "assign-waiting": {"task": "tickets.tasks.assign_waiting_task", "schedule": 60.0},
    "reassign-offline": {"task": "tickets.tasks.reassign_offline_task", "schedule": 60.0},
    # Chats idle 30 min end; waiting chats are (re)offered as agents free up or an offer times out (30 s).
    "sweep-chats": {"task": "channels_in.chat.tasks.sweep_chats_task", "schedule": 10.0},
    # Per-ticket metrics follow the timeline; the daily roll-ups for today and yesterday are rebuilt.
    "analytics-metrics": {"task": "analytics.tasks.refresh_metrics_task", "schedule": 60.0},
    "analytics-rollups": {"task": "analytics.tasks.refresh_rollups_task", "schedule": 600.0},
    # Time-based automations (pending reminders, auto-solve, auto-close, unassigned alerts).
    "run-automations": {"task": "tickets.tasks.run_automations_task", "schedule": 60.0},
    # Solved tickets past CSAT_DELAY_MINUTES get their satisfaction survey.
    "send-due-csat": {"task": "surveys.tasks.send_due_csat_task", "schedule": 60.0},
    # Webhook payloads whose processing task was lost (a dead worker) are picked up here.
    "drain-webhook-inbox": {"task": "channels_in.tasks.drain_inbox_task", "schedule": 60.0},
    # Each X account's own interval and rate-limit backoff decide whether a run costs any API call.
    "poll-x-accounts": {"task": "channels_in.social.x.tasks.poll_x_accounts_task", "schedule": 60.0},
    "poll-mailboxes": {"task": "channels_in.email.tasks.poll_mailboxes_task", "schedule": float(EMAIL_POLL_INTERVAL)},
}
