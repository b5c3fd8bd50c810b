"""The TOTP second factor of office accounts: enrolment, the login code, recovery codes.

The secret is stored encrypted with FIELD_ENCRYPTION_KEY (kernel.crypto), a key kept outside
the database; recovery codes only as hashes. These functions own their transactions (commit).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from questionnaire.accounts import totp
from questionnaire.accounts.models import OfficeUser, RecoveryCode
from questionnaire.accounts.service import LoginFailed, add_event, finish_login, is_locked, note_failed_login
from questionnaire.kernel import crypto
from questionnaire.kernel.errors import ServiceError
from questionnaire.kernel.sqltypes import utcnow


class EnrolmentCodeWrong(ServiceError):
    status, code = 422, "totp_code_wrong"
    message = "验证码不正确。请确认手机时间准确，输入身份验证器上当前显示的 6 位数字。"


def _key() -> str:
    return current_app.config["FIELD_ENCRYPTION_KEY"]


def is_enrolled(user: OfficeUser) -> bool:
    return user.totp_secret is not None


def must_enrol(user: OfficeUser) -> bool:
    """The account's role requires a second factor (REQUIRE_TOTP_FOR_ROLES) and it has none yet."""
    return user.role in current_app.config.get("REQUIRE_TOTP_FOR_ROLES", ()) and not is_enrolled(user)


def pending_secret(user: OfficeUser) -> str | None:
    return crypto.decrypt(_key(), user.totp_pending_secret) if user.totp_pending_secret else None


def start_enrolment(session: Session, user: OfficeUser) -> str:
    """The secret waiting for its first code (a new one unless enrolment is already under way)."""
    secret = pending_secret(user)
    if secret is None:
        secret = totp.new_secret()
        user.totp_pending_secret = crypto.encrypt(_key(), secret)
        session.commit()
    return secret


def confirm_enrolment(session: Session, user: OfficeUser, code: str, ip_hash: str | None) -> list[str]:
    """A correct first code turns the pending secret on; returns the ten recovery codes (shown once).

    Every earlier session of the account is revoked (they were password-only); the caller logs
    the current one in again.
    """
    secret = pending_secret(user)
    step = totp.matching_step(secret, code) if secret else None
    if step is None:
        raise EnrolmentCodeWrong()
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    user.session_epoch = (user.session_epoch or 0) + 1
    codes = totp.new_recovery_codes()
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(RecoveryCode(user_id=user.id, code_hash=totp.recovery_code_hash(c)) for c in codes)
    add_event(session, user.id, "totp_enabled", user.username, {}, ip_hash, utcnow())
    session.commit()
    return codes


def verify_login_code(session: Session, user: OfficeUser, code: str, ip_hash: str | None) -> str:
    """The second step of a login: a TOTP code or an unused recovery code. Returns the factor used.

    A wrong code counts as a failed login (five lock the account) and raises the login form's
    one answer, LoginFailed; a locked account is refused the same way.
    """
    if is_locked(user):
        add_event(session, user.id, "login_refused_locked", user.username, {"step": "second_factor"}, ip_hash, utcnow())
        session.commit()
        raise LoginFailed()
    factor = None
    if totp.looks_like_recovery_code(code):
        used = session.execute(
            update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
                                       RecoveryCode.code_hash == totp.recovery_code_hash(code))
            .values(used_at=utcnow()))
        factor = "recovery_code" if used.rowcount == 1 else None
    else:
        step = totp.matching_step(crypto.decrypt(_key(), user.totp_secret), code, after_step=user.totp_last_step)
        # Conditional: two requests racing with one code cannot both pass.
        if step is not None and session.execute(
                update(OfficeUser).where(OfficeUser.id == user.id,
                                         or_(OfficeUser.totp_last_step.is_(None), OfficeUser.totp_last_step < step))
                .values(totp_last_step=step)).rowcount == 1:
            factor = "totp"
    if factor is None:
        note_failed_login(session, user, "second_factor", ip_hash)
        session.commit()
        raise LoginFailed()
    finish_login(session, user, ip_hash, factor)
    return factor


def reset(session: Session, user: OfficeUser) -> None:
    """Remove the second factor (a lost phone and no recovery code left): the account enrols anew
    at its next login; its sessions are revoked (commits)."""
    user.totp_secret = user.totp_pending_secret = user.totp_enabled_at = user.totp_last_step = None
    user.session_epoch = (user.session_epoch or 0) + 1
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    add_event(session, None, "totp_reset", user.username, {"user_id": user.id}, None, utcnow())
    session.commit()


def unused_recovery_codes(session: Session, user: OfficeUser) -> int:
    return session.scalar(select(func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))
