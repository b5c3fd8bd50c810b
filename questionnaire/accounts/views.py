"""Office sign-in (password, then the second factor), sign-out, and second-factor enrolment.

The office pages themselves belong to their features.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from qrcode.constants import ERROR_CORRECT_M

from questionnaire.accounts import auth, second_factor, totp
from questionnaire.accounts import service as accounts
from questionnaire.accounts.auth import audit, office_login_required
from questionnaire.accounts.models import PHONE_STAFF_ROLES
from questionnaire.extensions import db
from questionnaire.posters import qr

bp = Blueprint("accounts", __name__, url_prefix="/office")

THROTTLED = "尝试过于频繁，请 {seconds} 秒后再试。"


def _refused(template: str, message: str, status: int, retry_after: int = 0, **context):
    response = Response(render_template(template, error=message, **context), status=status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _after_login():
    if second_factor.must_enrol(current_user):
        return redirect(url_for("accounts.enrol_second_factor"))
    # Phone staff (interviewers, supervisors) start on the phone pages, the only ones they use.
    home = url_for("phone.index") if current_user.role in PHONE_STAFF_ROLES else url_for("office.index")
    return redirect(auth.safe_next(request.args.get("next")) or home)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """User name + password. Every refusal reads the same, whether the name exists or not."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("office.index"))
        return render_template("office/login.html", error=None)
    username = request.form.get("username", "")[:64]
    throttle = auth.login_throttle(username)
    wait = throttle.retry_after()
    if wait:
        return _refused("office/login.html", THROTTLED.format(seconds=wait), 429, wait, username=username)
    try:
        user = accounts.authenticate(db.session, username, request.form.get("password", ""), auth.request_ip_hash())
    except accounts.LoginFailed as exc:
        throttle.note_failure()
        return _refused("office/login.html", exc.message, exc.status, username=username)
    if second_factor.is_enrolled(user):
        auth.start_pending_login(user)
        return redirect(url_for("accounts.login_code", next=auth.safe_next(request.args.get("next"))))
    accounts.finish_login(db.session, user, auth.request_ip_hash())
    throttle.clear()
    auth.complete_login(user)
    return _after_login()


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step: the authenticator's 6-digit code, or one of the recovery codes."""
    user = auth.pending_login_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    if request.method == "GET":
        return render_template("office/login_code.html", error=None)
    throttle = auth.login_throttle(user.username)
    wait = throttle.retry_after()
    if wait:
        return _refused("office/login_code.html", THROTTLED.format(seconds=wait), 429, wait)
    try:
        second_factor.verify_login_code(db.session, user, request.form.get("code", ""), auth.request_ip_hash())
    except accounts.LoginFailed:
        throttle.note_failure()
        return _refused("office/login_code.html", "验证码错误或已使用过，请输入身份验证器上当前的 6 位数字。", 401)
    throttle.clear()
    auth.complete_login(user)
    return _after_login()


@bp.post("/logout")
def logout():
    """End the office session, server-side: a copy of the cookie no longer works either."""
    if current_user.is_authenticated:
        audit("logout")
        accounts.revoke_sessions(db.session, current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.route("/account/second-factor", methods=["GET", "POST"])
@office_login_required(enrolling=True)
def enrol_second_factor():
    """Enrol a TOTP authenticator: scan the QR code (or type the key), confirm with one code."""
    user = current_user._get_current_object()
    if second_factor.is_enrolled(user):
        return render_template("office/second_factor.html", enrolled=True,
                               unused_codes=second_factor.unused_recovery_codes(db.session, user))
    secret = second_factor.start_enrolment(db.session, user)
    if request.method == "POST":
        try:
            codes = second_factor.confirm_enrolment(db.session, user, request.form.get("code", ""),
                                                    auth.request_ip_hash())
        except second_factor.EnrolmentCodeWrong as exc:
            return _refused("office/second_factor.html", exc.message, exc.status, enrolled=False,
                            secret=totp.grouped(secret), required=second_factor.must_enrol(user))
        auth.complete_login(user)  # the epoch moved on: other sessions of the account are revoked
        return render_template("office/recovery_codes.html", codes=codes)
    return render_template("office/second_factor.html", enrolled=False, error=None,
                           secret=totp.grouped(secret), required=second_factor.must_enrol(user))


@bp.get("/account/second-factor/qr.svg")
@office_login_required(enrolling=True)
def second_factor_qr():
    """The enrolment QR code (otpauth:// URI of the pending secret), drawn here: no third party sees it."""
    secret = second_factor.pending_secret(current_user)
    if secret is None:
        abort(404)
    uri = totp.provisioning_uri(secret, current_user.username, current_app.config["TOTP_ISSUER"])
    response = Response(qr.qr_svg(uri, size_mm=60, error_correction=ERROR_CORRECT_M), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response
