"""x channel settings from the environment (single-account setup); more accounts in the admin."""

from .env import env  # noqa: F401
