"""Read a 12345 platform work-order export into checked rows (pure; spec §5.3 A).

Columns are found by their header: each field has the platform's usual names, and a source's
saved mapping (field -> its own header) is tried first. Every rejected row is reported with its
row number (the header is row 1) and a Chinese reason; a repeated 工单编号 is rejected with the row
that first had it. The caller's number is cleaned here and encrypted by the service; a number
typed into the 诉求内容 is masked before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from questionnaire.channels.phone.frame_file import FrameFileError, cell_text, table_rows
from questionnaire.kernel.china_time import CHINA
from questionnaire.kernel.personal_data import clean_phone, mask_numbers_in_text

MAX_ROWS = 200_000
MAX_BYTES = 100 * 1024 * 1024
HEADERS: dict[str, tuple[str, ...]] = {
    "order_no": ("工单编号", "工单号"),
    "received_at": ("受理时间", "来电时间"),
    "channel": ("诉求渠道", "来源渠道"),
    "caller_name": ("诉求人姓名", "诉求人", "来电人"),
    "phone": ("联系电话", "来电号码", "联系方式"),
    "order_type": ("诉求类型", "工单类型"),
    "summary": ("诉求内容", "工单内容"),
    "county": ("事发县区", "县区"),
    "township": ("乡镇", "事发乡镇"),
    "handler": ("承办单位", "办理单位"),
    "deadline": ("要求办结时间", "办理时限", "办结时限"),
    "closed_at": ("办结时间",),
    "reply": ("办理结果", "答复内容"),
    "status": ("工单状态", "办理状态"),
    "extended_deadline": ("新截止时间", "延期批准", "延期截止时间"),
    "confidential": ("是否保密",),
    "callback": ("是否同意回访",),
}
REQUIRED = ("order_no", "received_at", "order_type", "summary", "handler", "deadline", "status")
LABELS = {"order_no": "工单编号", "received_at": "受理时间", "order_type": "诉求类型", "summary": "诉求内容",
          "handler": "承办单位", "deadline": "办理时限/要求办结时间", "status": "工单状态"}
ORDER_TYPES = ("咨询", "求助", "投诉", "举报", "建议", "表扬")
STATUSES = ("已办结", "办理中", "已退回", "延期", "无效")
YES_NO = {"是": True, "否": False, "": None}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
DAYS = re.compile(r"^(\d{1,3})\s*(个工作日|工作日|天|日)?$")


class OrderFileError(FrameFileError):
    pass


@dataclass(frozen=True)
class OrderRow:
    row_no: int
    order_no: str
    received_at: datetime
    channel: str
    caller_name: str
    phone: str | None  # cleaned; None when absent or unusable (the order is then never drawn)
    order_type: str
    summary: str
    county: str
    township: str
    handler: str
    deadline_at: datetime
    extended_deadline_at: datetime | None
    closed_at: datetime | None
    status: str
    reply: str
    confidential: bool
    callback_allowed: bool


@dataclass
class OrderReport:
    rows_total: int = 0
    kept_count: int = 0
    kept: list[OrderRow] = field(default_factory=list)  # only without a sink (see read_orders)
    rejected: list[tuple[int, str]] = field(default_factory=list)


class RowError(ValueError):
    pass


def parse_time(value, label: str) -> datetime | None:
    """A cell as a UTC time: an Excel datetime or text in China time; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = cell_text(value).replace("T", " ")
        for fmt in DATE_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise RowError(f"{label}“{text[:30]}”不是有效的时间（如 2023-03-01 10:00）")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    return moment.astimezone(timezone.utc)


def _deadline(value, received_at: datetime) -> datetime:
    text = cell_text(value)
    days = DAYS.match(text)
    if days:  # a time limit in days from acceptance (calendar days: the platform's export counts them so)
        return received_at + timedelta(days=int(days.group(1)))
    moment = parse_time(value, "办理时限/要求办结时间")
    if moment is None:
        raise RowError("缺少办理时限/要求办结时间")
    return moment


def _columns(header: tuple, mapping: Mapping[str, str]) -> dict[str, int]:
    names = [cell_text(h) for h in header]
    found = {}
    for key, synonyms in HEADERS.items():
        wanted = ((mapping.get(key),) if mapping.get(key) else ()) + synonyms
        for name in wanted:
            if name in names:
                found[key] = names.index(name)
                break
    missing = [LABELS[k] for k in REQUIRED if k not in found]
    if missing:
        raise OrderFileError("表头缺少必需的列：" + "、".join(missing) + "（可在“列对应”中设置本来源的列名）")
    return found


def _row(row_no: int, raw: tuple, cols: dict[str, int]) -> OrderRow:
    def get(key):
        i = cols.get(key)
        return raw[i] if i is not None and i < len(raw) else None

    def text(key, limit=200):
        return cell_text(get(key))[:limit]

    for key in REQUIRED:
        if text(key) == "":
            raise RowError(f"缺少{LABELS[key]}")
    order_type, status = text("order_type"), text("status")
    if order_type not in ORDER_TYPES:
        raise RowError(f"诉求类型“{order_type[:20]}”应为 " + "/".join(ORDER_TYPES))
    if status not in STATUSES:
        raise RowError(f"工单状态“{status[:20]}”应为 " + "/".join(STATUSES))
    flags = {}
    for key, label in (("confidential", "是否保密"), ("callback", "是否同意回访")):
        value = text(key)
        if value not in YES_NO:
            raise RowError(f"{label}应填 是 或 否")
        flags[key] = YES_NO[value]
    received_at = parse_time(get("received_at"), "受理时间")
    closed_at = parse_time(get("closed_at"), "办结时间")
    if status == "已办结" and closed_at is None:
        raise RowError("已办结的工单须有办结时间")
    phone = None
    if text("phone"):
        cleaned = clean_phone(get("phone"))
        phone = cleaned.number  # an unusable number is kept as none: the order is never drawn
    return OrderRow(
        row_no, text("order_no", 64), received_at, text("channel", 16), text("caller_name", 50), phone,
        order_type, mask_numbers_in_text(cell_text(get("summary"))[:2000]), text("county", 64),
        text("township", 64), text("handler"), _deadline(get("deadline"), received_at),
        parse_time(get("extended_deadline"), "新截止时间"), closed_at, status,
        mask_numbers_in_text(cell_text(get("reply"))[:2000]), bool(flags["confidential"]),
        flags["callback"] is not False)


def read_orders(filename: str, data: bytes, mapping: Mapping[str, str] | None = None,
                known: Mapping[str, int] | None = None,
                sink: Callable[[list[OrderRow]], None] | None = None, chunk: int = 5000) -> OrderReport:
    """Check every row; `known` maps 工单编号 already imported to their row (repeats are rejected).

    With a `sink`, the kept rows are handed over `chunk` at a time and not kept: memory holds one
    chunk and the order numbers seen, not the whole export.
    """
    rows = table_rows(filename, data, MAX_BYTES)
    header = next(rows, None)
    if header is None:
        raise OrderFileError("文件为空")
    cols = _columns(header, mapping or {})
    report = OrderReport()
    first_row: dict[str, int] = {}
    known = known or {}
    for row_no, raw in enumerate(rows, start=2):
        if not any(cell_text(v) for v in raw):
            continue
        report.rows_total += 1
        if report.rows_total > MAX_ROWS:
            raise OrderFileError(f"每个文件最多 {MAX_ROWS:,} 行，请拆分后上传")
        try:
            row = _row(row_no, raw, cols)
        except RowError as exc:
            report.rejected.append((row_no, str(exc)))
            continue
        if row.order_no in first_row:
            report.rejected.append((row_no, f"工单编号 {row.order_no} 重复（与第 {first_row[row.order_no]} 行相同）"))
            continue
        if row.order_no in known:
            report.rejected.append((row_no, f"工单编号 {row.order_no} 已导入过，不能重复导入"))
            continue
        first_row[row.order_no] = row_no
        report.kept.append(row)
        report.kept_count += 1
        if sink is not None and len(report.kept) >= chunk:
            sink(report.kept)
            report.kept = []
    if report.rows_total == 0:
        raise OrderFileError("文件中没有数据行")
    if sink is not None and report.kept:
        sink(report.kept)
        report.kept = []
    return report
