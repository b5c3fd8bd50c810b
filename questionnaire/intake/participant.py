"""Who is answering: a WeChat openid when an official account is configured, else a device cookie.

Only HMACs of these identities are stored. The device cookie is signed (so it
cannot be forged into someone else's id) but is a weak identity: clearing it
yields a new participant, which is why a WeChat account is the strong option.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from questionnaire.intake.submissions import Participant
from questionnaire.intake.wechat import wechat_participant
from questionnaire.kernel.signed import TokenReader

DEVICE_COOKIE = "sq_device"
TOKEN_HEADER = "X-Participant-Token"
DEVICE_SALT = "participant-device"


def _serializer() -> URLSafeSerializer:
    # Built once per app: a serializer derives its signer on construction, and the submit path
    # reads the device identity for the limiter and for the submission alike.
    serializer = current_app.extensions.get("device_serializer")
    if serializer is None:
        serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)
        current_app.extensions["device_serializer"] = serializer
    return serializer


def _reader() -> TokenReader:
    # Reads what _serializer signs with one HMAC (kernel.signed): checked on every submit.
    reader = current_app.extensions.get("device_reader")
    if reader is None:
        reader = TokenReader(current_app.config["SECRET_KEY"], DEVICE_SALT)
        current_app.extensions["device_reader"] = reader
    return reader


def init_app(app: Flask) -> None:
    @app.after_request
    def set_device_cookie(response: Response) -> Response:
        new_id = g.pop("new_device_id", None)
        if new_id is not None:
            response.set_cookie(
                DEVICE_COOKIE, _serializer().dumps(new_id),
                max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400,
                httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
            )
        return response


def device_token_value(raw: str | None) -> str | None:
    """The device id inside a signed token, or None when absent or forged."""
    if not raw:
        return None
    try:
        value = _reader().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and 16 <= len(value) <= 64 else None


def request_device_id() -> str | None:
    """The verified device id this request carries (API header first, then cookie), read once.

    The rate limiter's key functions and the view all ask; each answer costs an HMAC check.
    """
    # Kept on the request (not on g, which a test's outer app context shares between requests).
    environ = request.environ
    if "sq.device_id" not in environ:
        environ["sq.device_id"] = device_token_value(request.headers.get(TOKEN_HEADER)) or device_token_value(
            request.cookies.get(DEVICE_COOKIE)
        )
    return environ["sq.device_id"]


def device_participant(create: bool = True) -> Participant | None:
    """The device participant from the cookie or the API token header; mint one if asked."""
    device_id = request_device_id()
    if device_id is None:
        device_id = g.get("new_device_id")
    if device_id is None:
        if not create:
            return None
        device_id = secrets.token_urlsafe(18)
        g.new_device_id = device_id
    return Participant("device", device_id)


def participant_token(participant: Participant) -> str:
    """The signed token an API client sends back in X-Participant-Token."""
    return _serializer().dumps(participant.identity)


def resolve_participant(entry) -> Participant:
    """The participant for a resident page.

    With a WeChat official account configured this may abort with a redirect
    into WeChat's authorisation (werkzeug's abort(response)), so callers just
    receive a Participant.
    """
    if current_app.config.get("WECHAT_APPID"):
        return wechat_participant(entry)
    return device_participant()
