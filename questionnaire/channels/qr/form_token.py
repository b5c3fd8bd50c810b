"""A signed token carried by the survey form: submission id, entry code and render time.

It is the form's CSRF guard (a forged cross-site POST has no valid token for
the code), its idempotency key (a double tap re-sends the same submission id)
and the server-side clock for "time spent" (the client cannot shorten it).
"""

from __future__ import annotations

import time
import uuid

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from questionnaire.kernel.signed import TokenReader

MAX_AGE_SECONDS = 12 * 3600
SALT = "survey-form"


class FormTokenError(ValueError):
    pass


def _serializer() -> URLSafeTimedSerializer:
    serializer = current_app.extensions.get("form_serializer")  # built once per app
    if serializer is None:
        serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)
        current_app.extensions["form_serializer"] = serializer
    return serializer


def _reader() -> TokenReader:
    # Reads what _serializer signs with one HMAC (kernel.signed): checked on every form submit.
    reader = current_app.extensions.get("form_reader")
    if reader is None:
        reader = TokenReader(current_app.config["SECRET_KEY"], SALT, timed=True)
        current_app.extensions["form_reader"] = reader
    return reader


def issue(code: str) -> str:
    return _serializer().dumps({"sid": str(uuid.uuid4()), "code": code, "t": time.time()})


def read(token: str | None, code: str) -> tuple[str, int]:
    """Return (submission_id, seconds since the form was rendered) or raise FormTokenError."""
    if not token:
        raise FormTokenError("missing")
    try:
        data = _reader().loads(token, max_age=MAX_AGE_SECONDS)
    except SignatureExpired as exc:
        raise FormTokenError("expired") from exc
    except BadSignature as exc:
        raise FormTokenError("invalid") from exc
    if not isinstance(data, dict) or data.get("code") != code:
        raise FormTokenError("wrong entry")
    return data["sid"], max(0, int(time.time() - float(data["t"])))
