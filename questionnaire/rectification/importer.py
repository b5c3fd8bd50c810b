"""Import an item list (XLSX or CSV): all rows accepted, or nothing written and a per-row report.

Re-importing the same file is a no-op (its SHA-256 is kept), and a row whose 来源批次 + 序号
already exists for the year is refused, so a corrected file can be imported after a partial
list without doubling items.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.rectification.errors import ImportRefused
from questionnaire.rectification.item_file import FileUnreadable, read_table
from questionnaire.rectification.item_specs import COLUMN_LABELS, RowProblem, parse_rows
from questionnaire.rectification.items import add_item, entity_lookup
from questionnaire.rectification.models import RectificationImport, RectificationItem
from questionnaire.rectification.rules import SOURCES
from questionnaire.rectification.workflow import Actor


@dataclass(frozen=True)
class ImportResult:
    record: RectificationImport
    already: bool  # the same file was imported before: nothing new written


def import_items(session: Session, actor: Actor, filename: str, data: bytes, year: int, source: str,
                 today: date) -> ImportResult:
    """Validate every row, then write every item and task in one transaction; commits."""
    if not actor.scope.is_admin:
        raise ImportRefused("只有绩效办可以导入意见建议清单")
    if source not in SOURCES:
        raise ImportRefused("请选择来源")
    digest = hashlib.sha256(data).hexdigest()
    previous = session.scalar(select(RectificationImport).where(RectificationImport.digest == digest))
    if previous is not None:
        return ImportResult(previous, already=True)
    try:
        header, rows = read_table(filename, data)
    except FileUnreadable as exc:
        raise ImportRefused(exc.message) from exc
    lookup = entity_lookup(session)
    parsed = parse_rows(header, rows, lookup, year, source)
    keyed = {(s.batch, s.seq): row for s, row in zip(parsed.specs, parsed.spec_rows, strict=True) if s.seq is not None}
    if keyed:
        taken = session.execute(select(RectificationItem.batch, RectificationItem.seq).where(
            RectificationItem.year == year,
            tuple_(RectificationItem.batch, RectificationItem.seq).in_(list(keyed)))).all()
        parsed.problems.extend(RowProblem(keyed[(b, s)], COLUMN_LABELS["seq"],
                                          f"{year} 年度已有来源批次“{b}”的第 {s} 条，未重复导入")
                               for b, s in taken)
    if parsed.problems:
        problems = sorted(parsed.problems, key=lambda p: p.row)
        raise ImportRefused(f"文件未导入：共 {len(problems)} 处问题，请修改后重新上传整个文件", problems=problems)
    try:
        record = RectificationImport(digest=digest, filename=filename[:160], year=year, items=len(parsed.specs),
                                     tasks=parsed.tasks, imported_by=actor.user_id)
        session.add(record)
        session.flush()
        known = set(lookup.values())
        for spec in parsed.specs:
            add_item(session, spec, actor.user_id, today, import_id=record.id, known_entities=known, flush=False)
        add_event(session, actor.user_id, "rectification_import", f"rectification_import:{record.id}",
                  {"filename": filename[:160], "items": record.items, "tasks": record.tasks, "year": year},
                  actor.ip_hash)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return ImportResult(record, already=False)
