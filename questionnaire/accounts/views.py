"""Office sign-in and sign-out (the office pages themselves belong to their features)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from questionnaire.accounts import auth
from questionnaire.accounts import service as accounts
from questionnaire.accounts.auth import audit
from questionnaire.accounts.models import PHONE_STAFF_ROLES
from questionnaire.extensions import db

bp = Blueprint("accounts", __name__, url_prefix="/office")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Username + password; 5 failures lock the account for 15 minutes."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("office.index"))
        return render_template("office/login.html", error=None)
    if auth.ip_is_throttled():
        return render_template("office/login.html", error="登录失败次数过多，请 15 分钟后再试"), 429
    try:
        user = accounts.authenticate(db.session, request.form.get("username", ""),
                                     request.form.get("password", ""), auth.request_ip_hash())
    except (accounts.LoginFailed, accounts.AccountLocked) as exc:
        auth.note_ip_failure()
        return render_template("office/login.html", error=exc.message,
                               username=request.form.get("username", "")[:64]), exc.status
    session.clear()
    login_user(user)
    session.pop("_id", None)  # Flask-Login's IP/UA fingerprint: the cookie keeps only the user id
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without activity
    # Phone staff (interviewers, supervisors) start on the phone pages, the only ones they use.
    home = url_for("phone.index") if user.role in PHONE_STAFF_ROLES else url_for("office.index")
    return redirect(auth.safe_next(request.args.get("next")) or home)


@bp.post("/logout")
def logout():
    """End the office session."""
    if current_user.is_authenticated:
        audit("logout")
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


