"""Office login state: Flask-Login wiring, the `office_login_required` guard, scope, audit.

The session cookie is signed, not encrypted, so it holds only the user id and the account's
session epoch (Flask-Login's `_user_id`, '12:3'); role and scope are read from the database on
every request, so a disabled account or a changed scope takes effect at once. Logging out bumps
the epoch, so a cookie copied before the logout loads nobody (server-side revocation without a
session table). Sessions are permanent with PERMANENT_SESSION_LIFETIME, which Flask enforces
from the signed timestamp (idle timeout).

Between the password and the second factor the session holds `PENDING_LOGIN` (id, epoch, time),
which is not a login: no office page accepts it.
"""

from __future__ import annotations

import functools
import logging
import time
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user, login_user
from flask_wtf.csrf import CSRFError

from questionnaire.accounts import second_factor
from questionnaire.accounts import service as accounts
from questionnaire.accounts.models import OfficeUser
from questionnaire.accounts.throttle import LoginThrottle
from questionnaire.extensions import csrf, db, login_manager, redis_store
from questionnaire.intake.identity import ip_hash
from questionnaire.intake.ratelimit import client_ip
from questionnaire.kernel import keys
from questionnaire.kernel.web.errors import error_page, json_error, wants_json
from questionnaire.org.scope import Scope

log = logging.getLogger(__name__)

PENDING_LOGIN = "_pending_login"
PENDING_LOGIN_SECONDS = 5 * 60


def init_app(app: Flask) -> None:
    """Bind login and CSRF."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    # No IP/UA fingerprint in the cookie: office staff move between networks and the
    # cookie should carry nothing but the user id.
    login_manager.session_protection = None
    csrf.init_app(app)  # channels exempt their resident blueprints themselves

    @app.before_request
    def load_user_per_request():
        # Flask-Login caches the user on `g`; an app context that outlives one request (a test's,
        # a CLI's) would carry it into the next one and skip the session epoch check.
        g.pop("_login_user", None)

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        if wants_json():
            return json_error(400, "csrf_failed", "页面已过期，请刷新后重试")
        return error_page(400, "页面已过期", "请刷新页面后重新操作。")


def _user_for(session_id: str | None) -> OfficeUser | None:
    """The active account a session id ('12:3') names, if its epoch is still current."""
    user_id, _, epoch = (session_id or "").partition(":")
    try:
        user = db.session.get(OfficeUser, int(user_id))
        epoch = int(epoch)
    except (TypeError, ValueError):
        return None
    if user is None or not user.is_active or epoch != (user.session_epoch or 0):
        return None
    return user


@login_manager.user_loader
def _load_user(session_id: str):
    return _user_for(session_id)


def start_pending_login(user: OfficeUser) -> None:
    """The password was right; the second factor is still to come."""
    session.clear()
    session[PENDING_LOGIN] = f"{user.get_id()}:{int(time.time())}"


def pending_login_user() -> OfficeUser | None:
    """The account waiting for its second factor (for at most PENDING_LOGIN_SECONDS)."""
    session_id, _, started = session.get(PENDING_LOGIN, "").rpartition(":")
    try:
        fresh = time.time() - int(started) < PENDING_LOGIN_SECONDS
    except ValueError:
        return None
    return _user_for(session_id) if fresh else None


def complete_login(user: OfficeUser) -> None:
    """A fresh session for the account (no fixation: the old one is cleared)."""
    session.clear()
    login_user(user)
    session.pop("_id", None)  # Flask-Login's IP/UA fingerprint: the cookie keeps only the user id
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without activity


def office_login_required(roles=None, enrolling: bool = False):
    """Require a logged-in, active office account (optionally one of `roles`).

    An account whose role requires a second factor (REQUIRE_TOTP_FOR_ROLES) and has none is
    sent to enrol it first; only the enrolment views themselves pass `enrolling=True`.
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
            if not enrolling and second_factor.must_enrol(current_user):
                if wants_json():
                    return json_error(403, "second_factor_required", "请先启用两步验证")
                return redirect(url_for("accounts.enrol_second_factor"))
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


def login_throttle(username: str) -> LoginThrottle:
    """The failed-login throttle of this client address and user name."""
    key = keys.login_throttle(current_app.config["PARTICIPANT_HMAC_KEY"], client_ip(), (username or "").strip()[:64])
    return LoginThrottle(redis_store.client(current_app), key)
