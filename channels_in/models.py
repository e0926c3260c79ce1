"""Models of the channels, one module per channel package (Django finds them through this one)."""

from channels_in.email.models import AfterProcessing, Mailbox, Security

__all__ = ["AfterProcessing", "Mailbox", "Security"]
