"""Models of the Telegram channel (accounts, credentials)."""
