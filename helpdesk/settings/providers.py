"""Messaging providers (Twilio, Meta, Telegram, X): single-account setup from the environment.

Accounts configured in the admin take precedence; these serve a one-account installation and tests.
Every variable is documented in .env.example.
"""

from .env import env  # noqa: F401
