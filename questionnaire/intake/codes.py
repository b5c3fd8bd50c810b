"""Unguessable short codes for entry points (/s/<code>): the key every channel resolves an entry by."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/l/I: codes get typed from printed posters by elderly users.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8  # 31^8 ~ 8.5e11 codes: guessing a valid one among thousands is hopeless
CODE_PATTERN = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def new_entry_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def looks_like_entry_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))
