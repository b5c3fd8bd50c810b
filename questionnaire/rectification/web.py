"""What the rectification pages share: the acting account, today's China date, request values."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, request
from flask_login import current_user

from questionnaire.accounts.auth import current_scope, request_ip_hash
from questionnaire.kernel.china_time import china_date
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.rectification.workflow import Actor


def today() -> date:
    """Today in China. `RECTIFICATION_TODAY` (a date) is never read from the environment; only
    tests set it, to see the colours of the 25th and of a deadline on a fixed day."""
    return current_app.config.get("RECTIFICATION_TODAY") or china_date(utcnow())


def actor() -> Actor:
    return Actor(current_user.id, current_scope(), request_ip_hash())


def year_param() -> int:
    raw = request.values.get("year", "").strip()
    if not raw:
        return today().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        abort(400)
    return int(raw)


def date_param(name: str) -> date | None:
    """An <input type=date> value: absent -> None, malformed -> 400."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)
