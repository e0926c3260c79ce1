"""Outbound mail (replies to e-mail and web-form customers) and inbound mail pushed to us."""

from .env import env

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Support <support@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Inbound mail pushed to us (channels_in/email: SMTP server, provider webhook, importer); IMAP
# mailboxes are configured in the admin instead.
# Recipients the SMTP server accepts mail for; "*@example.com" accepts a whole domain.
INBOUND_EMAIL_ADDRESSES = [address.lower() for address in env.list("INBOUND_EMAIL_ADDRESSES", default=[])]
# Largest mail accepted by the SMTP server and the webhook (the SMTP server advertises it as SIZE).
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=25 * 1024 * 1024)
# Shared secret of POST /hooks/email/inbound/; empty disables the webhook.
INBOUND_EMAIL_WEBHOOK_SECRET = env.str("INBOUND_EMAIL_WEBHOOK_SECRET", default="")
# Where `manage.py smtp_server` listens by default.
SMTP_SERVER_HOST = env.str("SMTP_SERVER_HOST", default="127.0.0.1")
SMTP_SERVER_PORT = env.int("SMTP_SERVER_PORT", default=2525)
# Live mail from one sender beyond this many per hour is kept aside, not turned into tickets
# (a mail storm or a loop with another robot); an admin can retry it.
INBOUND_EMAIL_MAX_PER_SENDER_PER_HOUR = env.int("INBOUND_EMAIL_MAX_PER_SENDER_PER_HOUR", default=30)
