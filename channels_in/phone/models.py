"""Models of the Phone calls (Twilio Voice) channel (accounts, credentials)."""
