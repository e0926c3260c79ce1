"""Models of the channels, one module per channel package (Django finds them through this one)."""

from channels_in.email.models import AfterProcessing, Mailbox, Security
from channels_in.inbox_models import InboundPayload

__all__ = ["AfterProcessing", "InboundPayload", "Mailbox", "Security"]
