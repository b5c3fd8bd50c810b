"""Office accounts: the list with last login, accounts for the whole tree in one action (a printable
list of initial passwords), password reset (changed at the next login), disable and enable."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.accounts.auth import request_ip_hash
from questionnaire.accounts.service import AccountError
from questionnaire.admin import account_service
from questionnaire.admin.web import admin_only, bp
from questionnaire.extensions import db


def _list(error: str | None = None, status: int = 200):
    return render_template("admin/accounts.html", accounts=account_service.list_accounts(db.session),
                           error=error), status


@bp.get("/accounts")
@admin_only
def accounts():
    """Every office account: role, unit, state, last login."""
    return _list()


@bp.post("/accounts/bulk")
@admin_only
def create_accounts():
    """Create the missing county / city-unit (/ township) accounts; show their initial passwords once."""
    try:
        issued = account_service.create_for_tree(db.session, request.form.getlist("kind"), current_user.id,
                                                 request_ip_hash())
    except AccountError as exc:
        db.session.rollback()
        return _list(exc.message, exc.status)
    return render_template("admin/passwords.html", issued=issued, title="新建账号的初始密码")


@bp.post("/accounts/<int:account_id>/reset")
@admin_only
def reset_password(account_id: int):
    """A new password for one account, shown once; it must be changed at the next login."""
    issued = account_service.reset_password(db.session, account_id, current_user.id, request_ip_hash())
    return render_template("admin/passwords.html", issued=[issued], title="重置后的密码")


@bp.post("/accounts/<int:account_id>/active")
@admin_only
def set_account_active(account_id: int):
    """Disable (signed out at once) or enable an account."""
    active = request.form.get("active") == "1"
    try:
        user = account_service.set_active(db.session, account_id, active, current_user.id, request_ip_hash())
    except AccountError as exc:
        db.session.rollback()
        return _list(exc.message, exc.status)
    flash(f"账号 {user.username}（{user.display_name}）已{'启用' if active else '停用'}")
    return redirect(url_for("admin.accounts"))
