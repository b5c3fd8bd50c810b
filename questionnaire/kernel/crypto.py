"""Encryption of secrets the database must hold but must not reveal (TOTP seeds).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with FIELD_ENCRYPTION_KEY, a setting
kept outside the database: a copy of the database or of a backup alone does not give an
attacker the second factor of an office account. Pure functions of the key.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class DecryptionFailed(ValueError):
    """The ciphertext was not made with this key (or was altered)."""


def encrypt(key: str, plaintext: str) -> str:
    return Fernet(key.encode()).encrypt(plaintext.encode()).decode()


def decrypt(key: str, token: str) -> str:
    try:
        return Fernet(key.encode()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionFailed("ciphertext does not match FIELD_ENCRYPTION_KEY") from exc
