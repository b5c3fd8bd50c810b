"""Phone channel at the 2023 scale: import 94 frames / 70,500 rows, then draw 15,410.

Usage (it wipes the database it is given: use a scratch one):
    DATABASE_URL=postgresql://.../bench_phone .venv/bin/python bench/phone_frames.py
    .venv/bin/python bench/phone_frames.py          # a temporary SQLite file
Prints: import time in total and per frame, peak RSS and the Python heap peak per upload
(tracemalloc; flat = memory does not grow with the number of frames), then the draw's time
and a second draw with the same seed (identical lists). Goals: import < 30 s, draw < 5 s.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from questionnaire.app import create_app  # noqa: E402
from questionnaire.campaign_file.importer import import_campaign  # noqa: E402
from questionnaire.channels.phone import draw, frames  # noqa: E402
from questionnaire.channels.phone.models import FrameNumber, PhoneCase  # noqa: E402
from questionnaire.extensions import db  # noqa: E402
from questionnaire.org.models import OrgUnit  # noqa: E402

COUNTIES, UNITS, ROWS_PER_FRAME, TOTAL_DRAW = 11, 83, 750, 15_410
TYPES = ("服务对象", "企业", "普通城乡居民", "脱贫户")


def campaign_doc() -> dict:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    questions = [{"id": "overall", "type": "rating", "title": "总体评价"}]
    return {
        "campaign": {"slug": "bench-phone", "title": "电话访问基准", "year": 2026, "target_responses": 1000,
                     "opens_at": (now - timedelta(days=1)).isoformat(),
                     "closes_at": (now + timedelta(days=90)).isoformat()},
        "org": {"city": {"code": "C", "name": "基准市"},
                "counties": [{"code": f"K{i}", "name": f"县{i}", "townships": []} for i in range(COUNTIES)],
                "city_units": [{"code": f"U{i}", "name": f"单位{i}"} for i in range(UNITS)]},
        "questionnaires": [{"key": "q", "title": "问卷", "questions": questions}],
        "entry_points": [{"for": "counties", "questionnaire": "q"}, {"for": "city_units", "questionnaire": "q"}],
    }


def frame_csv(index: int) -> bytes:
    # Numbers overlap between neighbouring frames (5 %), and each frame has a few bad rows.
    lines = ["序号,电话号码,样本类型"]
    for i in range(ROWS_PER_FRAME):
        n = index * 712 + i
        phone = "1380000abcd" if i % 250 == 7 else f"+86 139-{n // 10000:04d}-{n % 10000:04d}"
        lines.append(f"{i + 1},{phone},{TYPES[i % len(TYPES)]}")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
                      "REDIS_URL": None, "TESTING": True})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
        campaign_id = import_campaign(db.session, campaign_doc()).campaign_id
        keys = frames.PersonalKeys.from_config(app.config)
        units = db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(("county", "city_unit")))
                                   .order_by(OrgUnit.id)).all()
        files = [frame_csv(i) for i in range(len(units))]
        tracemalloc.start()
        peaks, start = [], time.perf_counter()
        for unit, data in zip(units, files, strict=True):
            tracemalloc.reset_peak()
            frame, _ = frames.upload(db.session, keys, campaign_id, unit, "frame.csv", data, None)
            frames.set_locked(db.session, frame.id, True)
            peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        elapsed = time.perf_counter() - start
        tracemalloc.stop()
        rows = db.session.scalar(select(db.func.count()).select_from(FrameNumber))
        print(f"IMPORT frames={len(units)} rows={len(units) * ROWS_PER_FRAME:,} kept={rows:,} "
              f"seconds={elapsed:.1f} per_frame_ms={elapsed / len(units) * 1000:.0f} "
              f"heap_peak_MB first={peaks[0]:.1f} last={peaks[-1]:.1f} max={max(peaks):.1f} "
              f"rss_peak_MB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} "
              f"backend={db.engine.dialect.name}")

        def run() -> tuple[float, list]:
            begin = time.perf_counter()
            draw.run_draw(db.session, campaign_id, TOTAL_DRAW, seed="bench-seed")
            took = time.perf_counter() - begin
            return took, db.session.execute(select(PhoneCase.evaluated_unit_id, PhoneCase.phone_hmac)
                                            .order_by(PhoneCase.draw_order)).all()

        first_time, first = run()
        second_time, second = run()
        print(f"DRAW total={TOTAL_DRAW:,} from={rows:,} cases={len(first):,} seconds={first_time:.2f} "
              f"redraw_seconds={second_time:.2f} identical={first == second}")


if __name__ == "__main__":
    main()
