"""Import a vendor's callback results (spec §5.3 B), one row per sampled order.

The whole file is checked first; a file with any bad row stores nothing and reports every bad
row with its number and reason. Then each row's result is recorded as an in-house callback's is
(checks.store_answers + checks.apply_result). Importing the same file again changes nothing
(the intake replays the same submission ids; identical results are skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.channels.hotline.checks import CheckAnswers, apply_result, store_answers
from questionnaire.channels.hotline.models import OrderCheck, WorkOrder
from questionnaire.channels.hotline.order_file import RowError, parse_time
from questionnaire.channels.phone.frame_file import FrameFileError, cell_text, table_rows
from questionnaire.intake.submissions import SubmissionStore
from questionnaire.kernel.errors import ServiceError

HEADERS = {"order_no": "工单编号", "called_at": "回访时间", "contact": "回访结果", "on_time": "是否按时办结",
           "resolution": "解决情况", "satisfaction": "满意度", "suggestion": "意见建议", "recording_no": "录音编号"}
LEVELS = {"非常满意": "5", "满意": "4", "一般": "3", "基本满意": "3", "不满意": "2", "非常不满意": "1",
          "不了解": "dk", "": None}


class VendorFileRefused(ServiceError):
    status, code, message = 422, "hotline_vendor_refused", "回访结果文件无法导入"

    def __init__(self, message: str | None = None, rows: list[tuple[int, str]] | None = None):
        super().__init__(message)
        self.rows = rows or []


@dataclass(frozen=True)
class VendorRow:
    row_no: int
    order_no: str
    called_at: datetime | None
    answers: CheckAnswers


def read_vendor_file(filename: str, data: bytes) -> tuple[list[VendorRow], list[tuple[int, str]]]:
    try:
        rows = table_rows(filename, data)
        header = [cell_text(h) for h in (next(rows, None) or ())]
    except FrameFileError as exc:
        raise VendorFileRefused(exc.message) from None
    missing = [label for key, label in HEADERS.items() if key in ("order_no", "contact") and label not in header]
    if missing:
        raise VendorFileRefused("表头缺少必需的列：" + "、".join(missing))
    cols = {key: header.index(label) for key, label in HEADERS.items() if label in header}
    good, bad = [], []
    for row_no, raw in enumerate(rows, start=2):
        cells = [cell_text(v) for v in raw]
        if not any(cells):
            continue

        def get(key, cells=cells):
            i = cols.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        level = get("satisfaction")
        answers = CheckAnswers(get("contact"), get("on_time") or None, get("resolution") or None,
                               LEVELS.get(level, "?"), get("suggestion")[:500], get("recording_no")[:64])
        problems = answers.problems()
        if not get("order_no"):
            problems.insert(0, "缺少工单编号")
        try:
            called_at = parse_time(raw[cols["called_at"]] if "called_at" in cols and cols["called_at"] < len(raw)
                                   else None, "回访时间")
        except RowError as exc:
            problems.append(str(exc))
            called_at = None
        if problems:
            bad.append((row_no, "；".join(problems)))
        else:
            good.append(VendorRow(row_no, get("order_no"), called_at, answers))
    return good, bad


def import_results(session: Session, store: SubmissionStore, campaign_id: int, filename: str, data: bytes,
                   user_id: int | None, now: datetime | None = None) -> int:
    """Check the whole file, then record every row; returns how many results were recorded."""
    rows, bad = read_vendor_file(filename, data)
    checks = {no: check for no, check in session.execute(
        select(WorkOrder.order_no, OrderCheck).join(OrderCheck, OrderCheck.order_id == WorkOrder.id)
        .where(WorkOrder.campaign_id == campaign_id))}
    seen: dict[str, int] = {}
    for row in rows:
        check = checks.get(row.order_no)
        if row.order_no in seen:
            bad.append((row.row_no, f"工单编号 {row.order_no} 重复（与第 {seen[row.order_no]} 行相同）"))
        elif check is None:
            bad.append((row.row_no, f"工单编号 {row.order_no} 不在本次抽样名单中"))
        elif check.phone_case_id is not None and check.source != "vendor":
            bad.append((row.row_no, f"工单 {row.order_no} 已转入内部电话回访，不能再导入第三方结果"))
        elif check.source == "vendor" and check.contact != row.answers.contact:
            bad.append((row.row_no, f"工单 {row.order_no} 已导入过不同的回访结果"))
        seen.setdefault(row.order_no, row.row_no)
    if bad:
        session.rollback()
        raise VendorFileRefused(f"{len(bad)} 行有误，未导入任何结果，请修改后重新上传", sorted(bad))
    now = now or datetime.now(timezone.utc)
    recorded = 0
    for row in rows:
        check = checks[row.order_no]
        if check.source == "vendor":
            continue  # imported before: the same file again changes nothing
        response_id = store_answers(session, store, check, row.answers, now)
        apply_result(check, row.answers, "vendor", response_id, row.called_at)
        recorded += 1
    add_event(session, user_id, "hotline_vendor_import", f"campaign:{campaign_id}",
              {"file": (filename or "")[:100], "rows": len(rows), "recorded": recorded})
    session.commit()
    return recorded
