from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEBFORM = "webform", "Web form"
    CHAT = "chat", "Live chat"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    PHONE = "phone", "Phone"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    TELEGRAM = "telegram", "Telegram"
    API = "api", "API"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]


class Priority(models.IntegerChoices):
    # Integers so that "most urgent first" is a plain index order.
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class Direction(models.TextChoices):
    IN = "in", "Inbound"
    OUT = "out", "Outbound"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal note"


class DeliveryStatus(models.TextChoices):
    NONE = "", "—"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Automatic(models.TextChoices):
    """Machine-sent inbound mail (RFC 3834 and friends): stored, never answered automatically."""

    NO = "", "—"
    AUTO_REPLY = "auto-reply", "Auto-reply"
    BULK = "bulk", "Bulk or list mail"
    BOUNCE = "bounce", "Bounce"
