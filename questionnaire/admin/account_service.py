"""Office accounts for the whole tree in one action, password resets, disabling (these commit).

New and reset passwords are generated, shown once (a printable list) and must be changed at the
next login (`must_change_password`); every change is in the audit log with the account it
concerns, never with a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.models import OfficeUser
from questionnaire.accounts.service import (
    AccountError,
    NewAccount,
    add_event,
    add_user,
    generate_printable_password,
    set_password,
)
from questionnaire.kernel.errors import NotInScope
from questionnaire.org.models import OrgUnit

ROLE_FOR_KIND = {"county": "county", "city_unit": "unit", "township": "unit"}
PREFIX_FOR_KIND = {"county": "county", "city_unit": "unit", "township": "unit"}


@dataclass(frozen=True)
class IssuedPassword:
    username: str
    display_name: str
    role: str
    password: str


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    role: str
    unit: str
    is_active: bool
    must_change_password: bool
    last_login_at: datetime | None
    second_factor: bool


def list_accounts(session: Session) -> list[AccountRow]:
    rows = session.execute(select(OfficeUser, OrgUnit.name).outerjoin(OrgUnit, OrgUnit.id == OfficeUser.org_unit_id)
                           .order_by(OfficeUser.role, OrgUnit.sort_order, OfficeUser.username))
    return [AccountRow(u.id, u.username, u.display_name, u.role, unit or "", u.is_active, u.must_change_password,
                       u.last_login_at, u.totp_enabled_at is not None) for u, unit in rows]


def create_for_tree(session: Session, kinds: list[str], user_id: int, ip_hash: str | None) -> list[IssuedPassword]:
    """An account for every county / city unit / township that has none of its role yet; one transaction."""
    kinds = [k for k in kinds if k in ROLE_FOR_KIND]
    if not kinds:
        raise AccountError("请选择要创建账号的单位类型")
    have = {(u.org_unit_id, u.role) for u in session.scalars(select(OfficeUser))}
    names = set(session.scalars(select(OfficeUser.username)))
    issued = []
    units = select(OrgUnit).where(OrgUnit.kind.in_(kinds)).order_by(OrgUnit.kind, OrgUnit.sort_order, OrgUnit.id)
    for unit in session.scalars(units):
        role = ROLE_FOR_KIND[unit.kind]
        username = f"{PREFIX_FOR_KIND[unit.kind]}-{unit.code}"
        if (unit.id, role) in have or username in names:
            continue
        password = generate_printable_password()
        add_user(session, NewAccount(username, password, role, unit.code, unit.name), must_change_password=True)
        names.add(username)
        issued.append(IssuedPassword(username, unit.name, role, password))
    add_event(session, user_id, "create_accounts", "tree", {"kinds": kinds, "created": len(issued)}, ip_hash)
    session.commit()
    return issued


def _account(session: Session, account_id: int) -> OfficeUser:
    user = session.get(OfficeUser, account_id)
    if user is None:
        raise NotInScope()
    return user


def reset_password(session: Session, account_id: int, user_id: int, ip_hash: str | None) -> IssuedPassword:
    """A new generated password, to be changed at the next login; the account's sessions end."""
    user = _account(session, account_id)
    password = generate_printable_password()
    set_password(session, user, password, must_change=True)
    add_event(session, user_id, "reset_password", user.username, {"account_id": user.id}, ip_hash)
    session.commit()
    return IssuedPassword(user.username, user.display_name, user.role, password)


def set_active(session: Session, account_id: int, active: bool, user_id: int, ip_hash: str | None) -> OfficeUser:
    user = _account(session, account_id)
    if user.id == user_id and not active:
        raise AccountError("不能停用自己正在使用的账号")
    user.is_active = active
    if not active:
        user.session_epoch = (user.session_epoch or 0) + 1  # signed in elsewhere: out at the next request
    add_event(session, user_id, "enable_account" if active else "disable_account", user.username,
              {"account_id": user.id}, ip_hash)
    session.commit()
    return user
