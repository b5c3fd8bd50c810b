"""The feedback as an XLSX sheet (openpyxl; a few hundred rows at most, built in memory).

The same cells as the page: half-up rates with 2 decimals, "样本不足" on a unit's own sheet
below 10 completes (the office's sheet shows the value). Cells hold names and numbers only.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from questionnaire.channels.phone.feedback import FAILURE_CODES, FeedbackRow
from questionnaire.channels.phone.outcomes import OUTCOMES
from questionnaire.kernel.numbers import shown

SMALL = "样本不足"


def pct(value) -> str:
    rounded = shown(value)
    return "—" if rounded is None else f"{rounded}%"


def satisfaction_cell(row: FeedbackRow, value, office: bool) -> str:
    if row.small_sample and not office:
        return SMALL
    return pct(value) + ("（样本不足）" if row.small_sample and value is not None else "")


def feedback_xlsx(rows: list[FeedbackRow], office: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "电话访问反馈"
    titles = sorted({q.title for r in rows for q in r.questions})
    sheet.append(["单位", "提交号码", "有效号码", "无效号码", "重复号码", "抽取数", "已结案", "成功访问",
                  "访问成功率", "有效号码率", *[OUTCOMES[c].label for c in FAILURE_CODES], "满意度指数",
                  *titles])
    for r in rows:
        by_title = {q.title: q.rate for q in r.questions}
        sheet.append([r.unit_name, r.submitted, r.valid, r.invalid, r.duplicates, r.drawn, r.rates.finalised,
                      r.rates.completes, pct(r.rates.success_rate), pct(r.rates.valid_number_rate),
                      *[r.failures[c] for c in FAILURE_CODES], satisfaction_cell(r, r.index, office),
                      *[satisfaction_cell(r, by_title.get(t), office) for t in titles]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
