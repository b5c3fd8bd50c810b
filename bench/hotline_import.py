"""12345 work-order import at scale: a 120,000-row export of 33 entities, then the draw of 4,130.

Usage (it wipes the database it is given: use a scratch one):
    DATABASE_URL=postgresql://.../bench_hotline .venv/bin/python bench/hotline_import.py [xlsx|csv] [rows]
    .venv/bin/python bench/hotline_import.py                 # a temporary SQLite file, XLSX
Prints the file's size, the import's time and the process's peak RSS (the export is built in a
child process, so the peak is the import's), then the draw's time. BENCH_HEAP=1 also traces the
Python heap peak (tracemalloc; it slows the import several times over, so time it without).
Reading the XLSX (openpyxl) is most of the CPU; each caller's number and name are encrypted and
the number HMAC'd on the way in. 15 rows carry an unmapped 承办单位, 3 repeat a
工单编号, as in H1.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from phone_frames import campaign_doc  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from questionnaire.app import create_app  # noqa: E402
from questionnaire.campaign_file.importer import import_campaign  # noqa: E402
from questionnaire.channels.hotline import draw, orders  # noqa: E402
from questionnaire.channels.phone.frames import PersonalKeys  # noqa: E402
from questionnaire.extensions import db  # noqa: E402
from questionnaire.org.models import OrgUnit  # noqa: E402

HEADER = ["工单编号", "受理时间", "诉求渠道", "诉求人姓名", "联系电话", "诉求类型", "诉求内容", "事发县区", "承办单位",
          "办理时限", "办结时间", "工单状态", "新截止时间", "是否保密", "是否同意回访"]
TYPES = ("咨询", "求助", "投诉", "举报", "建议")


def rows(total: int, handlers: list[str]):
    start = datetime(2023, 1, 1, 8, 0)
    for i in range(total - 18):
        received = start + timedelta(minutes=3 * i)
        handler = handlers[i % len(handlers)]
        closed = received + timedelta(days=3 + i % 14)
        yield [f"GD2023{i:07d}", received, "电话", f"市民{i % 997}", f"139{i % 30_000_000:08d}", TYPES[i % 5],
               f"反映小区第{i % 50}栋附近路灯不亮、道路破损等问题，请尽快处理。", "", handler, 15, closed,
               "已办结", None, "是" if i % 97 == 0 else "否", "否" if i % 89 == 0 else "是"]
    for j in range(15):
        yield [f"GDX{j:04d}", start, "电话", "", f"137{j:08d}", "投诉", "未对应单位的诉求", "", "河池市某新设机构",
               15, start + timedelta(days=2), "已办结", None, "否", "是"]
    for j in range(3):
        yield [f"GD2023{j:07d}", start, "电话", "", "", "投诉", "重复的工单", "", handlers[0], 15, None, "办理中",
               None, "否", "是"]


def export(kind: str, total: int, handlers: list[str]) -> bytes:
    if kind == "csv":
        out = io.StringIO()
        out.write(",".join(HEADER) + "\n")
        for r in rows(total, handlers):
            out.write(",".join("" if v is None else f"{v:%Y-%m-%d %H:%M}" if isinstance(v, datetime) else str(v)
                               for v in r) + "\n")
        return out.getvalue().encode()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for r in rows(total, handlers):
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_export(path: Path, kind: str, total: int, handlers: list[str]) -> None:
    path.write_bytes(export(kind, total, handlers))


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "xlsx"
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 120_000
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
                      "REDIS_URL": None, "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
        campaign_id = import_campaign(db.session, campaign_doc()).campaign_id
        entities = db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(("county", "city_unit")))
                                      .order_by(OrgUnit.id).limit(33)).all()
        for unit in entities:
            orders.add_alias(db.session, f"{unit.name}（热线）", unit.id, None)
        path = Path(tempfile.mkdtemp()) / f"orders.{kind}"
        child = multiprocessing.get_context("fork").Process(
            target=write_export, args=(path, kind, total, [f"{u.name}（热线）" for u in entities]))
        child.start()
        child.join()
        data = path.read_bytes()
        keys = PersonalKeys.from_config(app.config)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        heap = os.environ.get("BENCH_HEAP") == "1"
        if heap:
            tracemalloc.start()
        began = time.perf_counter()
        result = orders.import_orders(db.session, keys, campaign_id, f"orders.{kind}", data)
        took = time.perf_counter() - began
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if heap else float("nan")
        tracemalloc.stop()
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"IMPORT kind={kind} rows={result.report.rows_total:,} file_MB={len(data) / 2**20:.1f} "
              f"stored={result.stored:,} rejected={len(result.report.rejected)} unmapped={result.unmapped} "
              f"seconds={took:.1f} rows_per_s={result.report.rows_total / took:,.0f} heap_peak_MB={heap_peak:.0f} "
              f"rss_before_MB={rss_before:.0f} rss_peak_MB={rss_peak:.0f} "
              f"backend={db.engine.dialect.name} at={datetime.now(timezone.utc):%H:%M}")
        began = time.perf_counter()
        done = draw.run_draw(db.session, campaign_id, 4130, seed="bench")
        print(f"DRAW drawn={done.drawn:,} seconds={time.perf_counter() - began:.2f}")


if __name__ == "__main__":
    main()
