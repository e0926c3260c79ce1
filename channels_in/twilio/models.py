"""Models of the Twilio: SMS, MMS and WhatsApp channel (accounts, credentials)."""
