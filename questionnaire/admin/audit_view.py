"""The audit log as the office reads it: filters (account, action, the account's unit, China
dates), pages and a CSV export. Read-only: nothing here writes to `audit_events`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from questionnaire.accounts.models import AuditEvent, OfficeUser
from questionnaire.exports import writers
from questionnaire.kernel.china_time import CHINA, format_china_time
from questionnaire.org.models import OrgUnit

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
ACTION_LABELS = {
    "login": "登录", "logout": "退出", "login_failed": "登录失败", "login_refused_locked": "锁定期间登录",
    "view_entries": "查看入口", "create_entries": "生成入口", "enable_entry": "启用入口", "disable_entry": "停用入口",
    "download_qr": "下载二维码", "download_poster": "下载海报", "queue_poster_batch": "批量生成海报",
    "download_poster_batch": "下载海报合集", "view_dashboard": "查看看板", "export": "导出数据",
    "create_campaign": "新建评议", "update_campaign": "修改评议", "upload_tree": "上传组织架构",
    "save_questionnaire": "保存问卷", "import_campaign_file": "导入活动文件", "export_campaign_file": "导出活动文件",
    "create_accounts": "批量创建账号", "reset_password": "重置密码", "change_password": "修改密码",
    "disable_account": "停用账号", "enable_account": "启用账号", "export_audit": "导出审计日志",
    "view_audit": "查看审计日志", "second_factor_enrolled": "启用两步验证",
    "download_tree_template": "下载组织架构模板",
}


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    action: str = ""
    unit_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    username: str
    unit: str
    action: str
    target: str
    detail: str


def _query(narrow: AuditFilter) -> Select:
    query = (select(AuditEvent, OfficeUser.username, OrgUnit.name)
             .outerjoin(OfficeUser, OfficeUser.id == AuditEvent.user_id)
             .outerjoin(OrgUnit, OrgUnit.id == OfficeUser.org_unit_id))
    if narrow.user_id is not None:
        query = query.where(AuditEvent.user_id == narrow.user_id)
    if narrow.action:
        query = query.where(AuditEvent.action == narrow.action)
    if narrow.unit_id is not None:
        query = query.where(OfficeUser.org_unit_id == narrow.unit_id)
    if narrow.since is not None:  # China days: 00:00 +08:00 up to the next day's
        query = query.where(AuditEvent.at >= datetime.combine(narrow.since, time(), CHINA))
    if narrow.until is not None:
        query = query.where(AuditEvent.at < datetime.combine(narrow.until + timedelta(days=1), time(), CHINA))
    return query


def _row(event: AuditEvent, username: str | None, unit: str | None) -> AuditRow:
    detail = json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True) if event.detail else ""
    return AuditRow(event.at, username or "（未登录）", unit or "", event.action, event.target or "", detail)


def page(session: Session, narrow: AuditFilter, number: int = 1) -> tuple[list[AuditRow], int]:
    """One page of events, newest first, and how many match in all."""
    total = session.scalar(select(func.count()).select_from(_query(narrow).subquery())) or 0
    rows = session.execute(_query(narrow).order_by(AuditEvent.id.desc())
                           .offset((max(number, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return [_row(*r) for r in rows], total


def actions(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(AuditEvent.action).distinct())) | set(ACTION_LABELS))


def csv_chunks(session: Session, narrow: AuditFilter) -> Iterator[bytes]:
    """The matching events as CSV (the exports' writer: UTF-8 with BOM, formula-safe), newest first."""
    header = ["时间（北京时间）", "账号", "所属单位", "操作", "操作代码", "对象", "详情"]
    query = _query(narrow).order_by(AuditEvent.id.desc()).limit(EXPORT_LIMIT)

    def rows():
        for event, username, unit in session.execute(query):
            row = _row(event, username, unit)
            yield [format_china_time(row.at, "%Y-%m-%d %H:%M:%S"), row.username, row.unit,
                   ACTION_LABELS.get(row.action, row.action), row.action, row.target, row.detail]

    return writers.csv_chunks(header, rows())
