"""Every error is a clear Chinese page, or a JSON body under /api; never a bare 500."""

from __future__ import annotations

import logging
import time

import redis
from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from questionnaire.extensions import db
from questionnaire.kernel.errors import RateLimited, ServiceError, ServiceUnavailable

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求有误", "请返回后重新操作。"),
    401: ("请先登录", None),
    403: ("没有访问权限", "您的账号无权查看该内容。"),
    404: ("页面不存在", "请确认链接或二维码是否正确。"),
    405: ("请求方式不正确", None),
    409: ("请求冲突", None),
    410: ("内容已失效", None),
    413: ("提交内容过大", "请精简后重新提交。"),
    415: ("请求格式不正确", "请以 JSON 格式提交。"),
    422: ("提交内容有误", None),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统出错", "请稍后再试，您的答卷如未显示“提交成功”则尚未保存。"),
    503: ("系统繁忙", "请稍后再试，您的答卷如未显示“提交成功”则尚未保存。"),
}
# Inside the office (staff pages) a refusal keeps the office's menu and speaks to staff, not to
# a resident holding a QR code.
OFFICE_PREFIXES = ("/office", "/dashboard", "/results", "/reports")
OFFICE_MESSAGES = {
    403: ("没有访问权限", "您的账号无权进行该操作。如需开通，请联系市绩效办。"),
    404: ("未找到该内容", "该内容不存在，或不在您的账号权限范围内。请从上方菜单重新进入。"),
}
API_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "payload_too_large",
             415: "unsupported_media_type", 422: "unprocessable", 429: "rate_limited",
             500: "internal_error", 503: "service_unavailable"}


def wants_json() -> bool:
    """JSON for the resident API and the office's JSON endpoints (/dashboard/api/...), and for
    any client that asks for JSON first (the export progress poll), everywhere else a page."""
    return "/api/" in request.path or request.accept_mimetypes.best == "application/json"


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


def is_office_request() -> bool:
    return request.path.startswith(OFFICE_PREFIXES)


def error_page(status: int, title: str | None = None, text: str | None = None):
    office = is_office_request()
    messages = {**MESSAGES, **OFFICE_MESSAGES} if office else MESSAGES
    default_title, default_text = messages.get(status, MESSAGES[500])
    if office and status >= 500:
        default_text = "请稍后再试；如多次出现，请联系市绩效办。"
    return render_template(
        "errors/office.html" if office else "errors/page.html", title=title or default_title,
        text=text if title else default_text, status=status,
    ), status


# Seconds a client (or WeChat's web view) should wait before retrying after a 503.
RETRY_AFTER_SECONDS = 5


def backend_unavailable(exc: Exception) -> bool:
    """PostgreSQL or Redis could not be reached: a retryable outage (503), not a bug (500).

    Any query outside the submit path (an entry lookup after the cache expired, the
    "already answered?" check of the survey page) meets a database restart this way.
    """
    if isinstance(exc, (OperationalError, PoolTimeout, redis.ConnectionError, redis.TimeoutError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def release_db_session(exc):
        """Return the request's session even when the database dropped its connection.

        Flask-SQLAlchemy's own teardown rolls the session back over the network; if
        PostgreSQL terminated that connection (restart, failover) the rollback raises
        after the response was built and gunicorn answers a bare 500 -- even for a
        response that was committed (201) on another connection. Registered after
        Flask-SQLAlchemy, so it runs first. SQLAlchemy has already invalidated the dead
        connection and returned it to the pool; only the session is left to drop.
        """
        try:
            db.session.remove()
        except DBAPIError as err:
            if not backend_unavailable(err):
                raise
            log.warning("db session released on a dead connection error=%s", err)
            db.session.registry.clear()

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        if wants_json():
            response = json_error(exc.status, exc.code, exc.message, exc.detail.get("fields"))
        else:
            response = error_page(exc.status, exc.message)
        if exc.status == 503:
            response = app.make_response(response)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def plain_error(status: int):
        if wants_json():
            return json_error(status, API_CODES.get(status, "error"), MESSAGES.get(status, MESSAGES[500])[0])
        return error_page(status)

    @app.errorhandler(RateLimited)
    def submit_rate_limited(exc: RateLimited):
        response = app.make_response(plain_error(429))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:  # abort(redirect(...)) and friends
            return exc.response
        status = exc.code or 500
        if status == 429:  # Flask-Limiter's default per-IP limit on the other routes
            response = app.make_response(plain_error(429))
            response.headers["Retry-After"] = str(retry_after_seconds())
            return response
        return plain_error(status)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if backend_unavailable(exc):
            log.warning("backend unavailable path=%s error=%s", request.path, exc)
            return service_error(ServiceUnavailable())
        log.exception("unhandled error path=%s", request.path)
        if wants_json():
            return json_error(500, "internal_error", MESSAGES[500][0])
        return error_page(500)


def retry_after_seconds(default: int = 60) -> int:
    """Seconds until the window that refused this request reopens (Flask-Limiter's 429s)."""
    limiter = current_app.extensions.get("sq_limiter")  # set by intake.ratelimit
    try:
        current = limiter.current_limit if limiter is not None else None
        return max(int(current.reset_at - time.time()), 1) if current is not None else default
    except Exception:  # noqa: BLE001 - the limit store went away: a plain default is fine
        return default
