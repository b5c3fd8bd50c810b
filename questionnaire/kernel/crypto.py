"""Encryption of what the database must hold but must not reveal: phone numbers (sample frames,
hotline callers), TOTP seeds of office accounts.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with FIELD_ENCRYPTION_KEY, one setting
kept outside the database: a copy of the database or of a backup alone gives an attacker
neither a resident's number nor the second factor of an office account. Pure functions of the key.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class DecryptionFailed(ValueError):
    """The ciphertext was not made with this key (or was altered)."""


class Cipher:
    """Encrypt and decrypt with one key (build it once per batch: Fernet derives its subkeys)."""

    def __init__(self, key: str | bytes):
        try:
            self._fernet = Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError) as exc:
            raise ValueError("FIELD_ENCRYPTION_KEY must be 32 url-safe base64-encoded bytes") from exc

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionFailed("ciphertext does not match FIELD_ENCRYPTION_KEY") from exc


def encrypt(key: str, plaintext: str) -> str:
    return Cipher(key).encrypt(plaintext)


def decrypt(key: str, token: str) -> str:
    return Cipher(key).decrypt(token)
