"""Time-based one-time passwords (RFC 6238, via pyotp) and one-time recovery codes.

Pure functions: no Flask, no database. The caller keeps the secret encrypted and the last
accepted time step, so a code seen over someone's shoulder cannot be used a second time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp

DIGITS = 6
STEP_SECONDS = 30
# One step either side: a phone clock a little off, or a code typed just as it turned over.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 16 base32 characters = 80 random bits: far beyond offline guessing, so a plain SHA-256 of the
# code is a safe hash (a slow password hash would buy nothing and cost ten checks per login).
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
_RECOVERY_LENGTH = 16


def new_secret() -> str:
    """A fresh base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the enrolment QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account_name, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, after_step: int | None = None, now: float | None = None) -> int | None:
    """The time step `code` belongs to (within the drift), or None.

    A step at or before `after_step` (the last one accepted) is refused: each code works once.
    """
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != DIGITS:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like 'ABCD-EFGH-JKLM-NPQR', shown once and stored only as `recovery_code_hash`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def looks_like_recovery_code(text: str) -> bool:
    return len(_normalise(text)) == _RECOVERY_LENGTH


def recovery_code_hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())
