"""Office accounts: creation, password login with lockout, and the audit log.

These functions own their transactions (they commit); callers pass the session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from questionnaire.accounts.models import ROLES, AuditEvent, OfficeUser
from questionnaire.kernel.errors import ServiceError
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
# werkzeug's default (scrypt). The app setting PASSWORD_HASH_METHOD may name another
# method; only the test suite does, to save a scrypt per test account.
DEFAULT_PASSWORD_HASH_METHOD = "scrypt"
# Compared against when the username is unknown, so both paths cost one hash check
# and response time does not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password", DEFAULT_PASSWORD_HASH_METHOD)


class AccountError(ServiceError):
    status, code, message = 422, "account_invalid", "账号信息有误"


class LoginFailed(ServiceError):
    status, code, message = 401, "login_failed", "用户名或密码错误"


class AccountLocked(ServiceError):
    status, code, message = 429, "account_locked", "登录失败次数过多，账号已锁定 15 分钟，请稍后再试"


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    role: str
    unit_code: str | None = None
    display_name: str = ""


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _hash_method() -> str:
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_PASSWORD_HASH_METHOD
    return DEFAULT_PASSWORD_HASH_METHOD


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A hash to check an unknown username against, costing what a real account's check costs."""
    if method == DEFAULT_PASSWORD_HASH_METHOD:
        return _DUMMY_HASH
    return generate_password_hash("not-a-real-password", method)


def create_user(session: Session, account: NewAccount) -> OfficeUser:
    """Validate and store a new office account (commits)."""
    username = account.username.strip()
    if not username or len(username) > 64:
        raise AccountError("用户名不能为空且不超过 64 个字符")
    if account.role not in ROLES:
        raise AccountError(f"角色必须是 {', '.join(ROLES)} 之一")
    if len(account.password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if session.scalar(select(OfficeUser.id).where(OfficeUser.username == username)) is not None:
        raise AccountError(f"用户名 {username} 已存在")
    unit = None
    if account.role == "admin":
        if account.unit_code:
            raise AccountError("绩效办管理员不绑定单位")
    else:
        if not account.unit_code:
            raise AccountError("县区和单位账号必须指定单位编码 (--unit)")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == account.unit_code))
        if unit is None:
            raise AccountError(f"单位编码 {account.unit_code} 不存在")
        if account.role == "county" and unit.kind != "county":
            raise AccountError(f"{unit.name} 不是县区，县区账号必须绑定县区")
    user = OfficeUser(
        username=username,
        password_hash=generate_password_hash(account.password, _hash_method()),
        display_name=account.display_name or (unit.name if unit else "绩效办"),
        role=account.role,
        org_unit_id=unit.id if unit else None,
    )
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, username: str, password: str, ip_hash: str | None = None,
                 now: datetime | None = None) -> OfficeUser:
    """Check a password; 5 failures lock the account for 15 minutes. Commits either way."""
    now = now or utcnow()
    username = (username or "").strip()[:64]
    user = session.scalar(select(OfficeUser).where(OfficeUser.username == username)) if username else None
    if user is None or not user.is_active:
        check_password_hash(_dummy_hash(_hash_method()), password or "")
        _record(session, None, "login_failed", username, {"reason": "unknown_user"}, ip_hash, now)
        session.commit()
        raise LoginFailed()
    if user.locked_until is not None and user.locked_until > now:
        # Do not even check the password: a locked account gives no oracle.
        _record(session, user.id, "login_refused_locked", username, {}, ip_hash, now)
        session.commit()
        raise AccountLocked()
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        detail = {"failed_logins": user.failed_logins}
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            detail["locked_until"] = user.locked_until.isoformat()
        _record(session, user.id, "login_failed", username, detail, ip_hash, now)
        session.commit()
        if "locked_until" in detail:
            raise AccountLocked()
        raise LoginFailed()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    _record(session, user.id, "login", username, {}, ip_hash, now)
    session.commit()
    return user


def record_event(session: Session, user_id: int | None, action: str, target: str = "",
                 detail: dict | None = None, ip_hash: str | None = None) -> None:
    """Append one audit event (views, downloads, exports) and commit it."""
    _record(session, user_id, action, target, detail or {}, ip_hash, utcnow())
    session.commit()


def add_event(session: Session, user_id: int | None, action: str, target: str = "",
              detail: dict | None = None, ip_hash: str | None = None) -> None:
    """Add one audit event to the caller's transaction (a service that commits its change
    and the record of it together: rectification status changes)."""
    _record(session, user_id, action, target, detail or {}, ip_hash, utcnow())


def _record(session, user_id, action, target, detail, ip_hash, now) -> None:
    session.add(AuditEvent(user_id=user_id, action=action, target=str(target)[:200],
                           detail=detail, ip_hash=ip_hash, at=now))

