"""Invitation tokens (pure): derived with HMAC from a server key, never stored.

The database keeps a random per-invitation nonce and a keyed digest of the token for lookup.
Without the server key neither gives the token; with it the office can print an invitation
again at any time (reissuing = a new nonce, which kills the old link).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_LENGTH = 20  # base32 characters: 100 bits
TOKEN_PATTERN = re.compile(r"^[a-z2-7]{20}$")


def new_nonce() -> str:
    return secrets.token_hex(16)


def invitation_token(secret_key: str, nonce: str) -> str:
    mac = hmac.new(secret_key.encode(), f"leader-invitation\x1f{nonce}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode().lower()[:TOKEN_LENGTH]


def token_digest(hmac_key: str, token: str) -> str:
    """What the invitation row is found by."""
    return hmac.new(hmac_key.encode(), f"leader-token\x1f{token}".encode(), hashlib.sha256).hexdigest()


def looks_like_token(raw: str | None) -> bool:
    return bool(raw) and TOKEN_PATTERN.match(raw) is not None


def masked(token: str) -> str:
    """The short code shown in office lists: enough to match a printed sheet, not to open it."""
    return f"{token[:4]}****{token[-2:]}"
