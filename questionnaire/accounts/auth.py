"""Office login state: Flask-Login wiring, the `office_login_required` guard, scope, audit.

The session cookie is signed, not encrypted, so it holds only the user id (Flask-Login's
`_user_id`); role and scope are read from the database on every request, so a disabled
account or a changed scope takes effect at once. Sessions are permanent with
PERMANENT_SESSION_LIFETIME, which Flask enforces from the signed timestamp (idle timeout).
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from questionnaire.accounts import service as accounts
from questionnaire.accounts.models import OfficeUser
from questionnaire.extensions import csrf, db, login_manager, redis_store
from questionnaire.intake.identity import ip_hash
from questionnaire.kernel import keys
from questionnaire.kernel.web.errors import error_page, json_error, wants_json
from questionnaire.org.scope import Scope

log = logging.getLogger(__name__)

# Per-IP backstop on top of the per-account lockout: many usernames tried from one address.
IP_FAILURE_LIMIT = 30
IP_FAILURE_WINDOW = 15 * 60


def init_app(app: Flask) -> None:
    """Bind login and CSRF."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    # No IP/UA fingerprint in the cookie: office staff move between networks and the
    # cookie should carry nothing but the user id.
    login_manager.session_protection = None
    csrf.init_app(app)  # channels exempt their resident blueprints themselves

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        if wants_json():
            return json_error(400, "csrf_failed", "页面已过期，请刷新后重试")
        return error_page(400, "页面已过期", "请刷新页面后重新操作。")


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        user = db.session.get(OfficeUser, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.is_active else None


def office_login_required(roles=None):
    """Require a logged-in, active office account (optionally one of `roles`).

    Usable as `@office_login_required()`, `@office_login_required(roles=("admin",))`
    or bare `@office_login_required`.
    """
    if callable(roles):
        return office_login_required()(roles)
    allowed = tuple(roles) if roles else None

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if wants_json():
                    return json_error(401, "unauthorized", "请先登录")
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            if allowed is not None and current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_scope() -> Scope:
    """The scope of the logged-in account (nothing for anonymous visitors)."""
    # Not cached on `g`: it is cheap, and an app context can outlive one request (tests, CLI).
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return Scope.for_user(user)


def request_ip_hash() -> str | None:
    return ip_hash(current_app.config["PARTICIPANT_HMAC_KEY"], request.remote_addr)


def audit(action: str, target: str = "", **detail) -> None:
    """Record what the current office user viewed, downloaded or exported."""
    user_id = current_user.id if current_user.is_authenticated else None
    accounts.record_event(db.session, user_id, action, target, detail, request_ip_hash())


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _ip_key() -> str:
    return f"{keys.PREFIX}:office:login-failures:{request_ip_hash() or 'none'}"


def ip_is_throttled() -> bool:
    try:
        count = redis_store.client(current_app).get(_ip_key())
    except Exception:  # noqa: BLE001 - a Redis outage must not block logins
        log.warning("login throttle check failed", exc_info=True)
        return False
    return count is not None and int(count) >= IP_FAILURE_LIMIT


def note_ip_failure() -> None:
    try:
        client = redis_store.client(current_app)
        pipe = client.pipeline()
        pipe.incr(_ip_key())
        pipe.expire(_ip_key(), IP_FAILURE_WINDOW)
        pipe.execute()
    except Exception:  # noqa: BLE001
        log.warning("login throttle update failed", exc_info=True)
