"""Model fields shared by the apps."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_PREFIX = "fernet:"


def _fernet() -> MultiFernet:
    """FIELD_ENCRYPTION_KEYS (newest first, for rotation), else a key derived from SECRET_KEY."""
    keys = settings.FIELD_ENCRYPTION_KEYS or [
        base64.urlsafe_b64encode(hashlib.sha256(f"field-encryption:{settings.SECRET_KEY}".encode()).digest()).decode()
    ]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: {exc}") from exc


class EncryptedTextField(models.TextField):
    """A secret (API token, password) stored encrypted with Fernet; Python code sees plain text.

    A database dump or a backup does not give away channel credentials. Not searchable or
    sortable, by design. Values written before encryption (no prefix) are read as they are.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return _PREFIX + _fernet().encrypt(value.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if not value or not value.startswith(_PREFIX):
            return value
        try:
            return _fernet().decrypt(value[len(_PREFIX) :].encode()).decode()
        except InvalidToken as exc:
            raise ImproperlyConfigured(
                "A stored secret cannot be decrypted: SECRET_KEY or FIELD_ENCRYPTION_KEYS changed."
            ) from exc
