"""Models of the X (Twitter) channel (accounts, credentials)."""
