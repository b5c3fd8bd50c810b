"""Office accounts: creation, password login with lockout, session revocation, the audit log.

These functions own their transactions (they commit); callers pass the session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from questionnaire.accounts.models import PHONE_STAFF_ROLES, ROLES, AuditEvent, OfficeUser
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
    # One answer for an unknown user, a wrong password or code, and a locked account.
    status, code, message = 401, "login_failed", "用户名或密码错误。连续输错 5 次后需等待 15 分钟再试。"




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
    if account.role == "admin" or account.role in PHONE_STAFF_ROLES:
        if account.unit_code:
            raise AccountError("绩效办管理员、话务员和督导不绑定单位")
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
    """Check a password (the first factor); 5 failures lock the account for 15 minutes.

    An unknown user name, a wrong password and a locked account all raise the same LoginFailed
    after the same single hash check, so neither the answer nor its time tells which user names
    exist or which account is locked; the audit log says which it was. Commits either way; a
    correct password is not yet a login when the account has a second factor (`finish_login`).
    """
    now = now or utcnow()
    username = (username or "").strip()[:64]
    user = session.scalar(select(OfficeUser).where(OfficeUser.username == username)) if username else None
    known = user is not None and user.is_active
    password_ok = check_password_hash(user.password_hash if known else _dummy_hash(_hash_method()), password or "")
    if not known:
        add_event(session, None, "login_failed", username, {"reason": "unknown_user"}, ip_hash, now)
    elif user.locked_until is not None and user.locked_until > now:
        add_event(session, user.id, "login_refused_locked", username, {}, ip_hash, now)
    elif not password_ok:
        note_failed_login(session, user, "password", ip_hash, now)
    else:
        session.commit()
        return user
    session.commit()
    raise LoginFailed()


def note_failed_login(session: Session, user: OfficeUser, reason: str, ip_hash: str | None,
                      now: datetime | None = None) -> None:
    """Count a failed password or second-factor code; the fifth locks the account (caller commits)."""
    now = now or utcnow()
    user.failed_logins = (user.failed_logins or 0) + 1
    detail = {"reason": reason, "failed_logins": user.failed_logins}
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        user.failed_logins = 0
        detail["locked_until"] = user.locked_until.isoformat()
    add_event(session, user.id, "login_failed", user.username, detail, ip_hash, now)


def is_locked(user: OfficeUser, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def finish_login(session: Session, user: OfficeUser, ip_hash: str | None, factor: str = "password") -> None:
    """Both factors passed: reset the failure count and audit the login (commits)."""
    now = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    add_event(session, user.id, "login", user.username, {"factor": factor}, ip_hash, now)
    session.commit()


def revoke_sessions(session: Session, user_id: int) -> None:
    """End every session of the account: cookies issued before no longer load it (commits)."""
    session.execute(update(OfficeUser).where(OfficeUser.id == user_id)
                    .values(session_epoch=OfficeUser.session_epoch + 1))
    session.commit()


def record_event(session: Session, user_id: int | None, action: str, target: str = "",
                 detail: dict | None = None, ip_hash: str | None = None) -> None:
    """Append one audit event (views, downloads, exports) and commit it."""
    add_event(session, user_id, action, target, detail or {}, ip_hash, utcnow())
    session.commit()


def add_event(session: Session, user_id: int | None, action: str, target: str = "",
              detail: dict | None = None, ip_hash: str | None = None, now: datetime | None = None) -> None:
    """Add one audit event to the caller's transaction (the caller commits the change and the
    record of it together)."""
    session.add(AuditEvent(user_id=user_id, action=action, target=str(target)[:200],
                           detail=detail or {}, ip_hash=ip_hash, at=now or utcnow()))

