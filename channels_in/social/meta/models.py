"""Models of the Facebook Messenger and Instagram channel (accounts, credentials)."""
