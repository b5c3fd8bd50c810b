""""下一个" under load: 20 interviewers claim concurrently from a queue of 15,410 cases.

Usage (it wipes the database it is given: use a scratch one):
    DATABASE_URL=postgresql://.../bench_phone .venv/bin/python bench/phone_claims.py [claims_per_interviewer]
Builds the 94-entity campaign of bench/phone_frames.py, draws 15,410, then 20 threads each press
"下一个" and close the case (空号, final) in a loop. Prints claim latency p50/p95/p99/max and
checks that no case was served twice. Goal: p99 < 100 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade  # noqa: E402
from phone_frames import TOTAL_DRAW, campaign_doc, frame_csv  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from questionnaire.accounts.models import OfficeUser  # noqa: E402
from questionnaire.app import create_app  # noqa: E402
from questionnaire.campaign_file.importer import import_campaign  # noqa: E402
from questionnaire.channels.phone import draw, frames, interviews, queue  # noqa: E402
from questionnaire.channels.phone.interviews import CallRecord  # noqa: E402
from questionnaire.channels.phone.outcomes import PhonePolicy  # noqa: E402
from questionnaire.extensions import db  # noqa: E402
from questionnaire.org.models import OrgUnit  # noqa: E402

INTERVIEWERS = int(os.environ.get("INTERVIEWERS", "20"))
ALWAYS_OPEN = PhonePolicy(calling_hours=((datetime.min.time(), datetime.max.time()),))


def main() -> None:
    per_interviewer = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, "TESTING": True,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": INTERVIEWERS, "max_overflow": 5}})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
        campaign_id = import_campaign(db.session, campaign_doc()).campaign_id
        keys = frames.PersonalKeys.from_config(app.config)
        units = db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(("county", "city_unit")))).all()
        for i, unit in enumerate(units):
            frame, _ = frames.upload(db.session, keys, campaign_id, unit, "f.csv", frame_csv(i), None)
            frames.set_locked(db.session, frame.id, True)
        draw.run_draw(db.session, campaign_id, TOTAL_DRAW, seed="bench")
        users = [OfficeUser(username=f"iv{i}", password_hash="x", display_name=f"话务员{i}", role="interviewer")
                 for i in range(INTERVIEWERS)]
        db.session.add_all(users)
        db.session.commit()
        ids = [u.id for u in users]
        db.session.remove()

    latencies: list[float] = []
    served: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(INTERVIEWERS)

    def shift(user_id: int) -> None:
        with app.app_context():
            barrier.wait()
            for _ in range(per_interviewer):
                now = datetime.now(timezone.utc)
                start = time.perf_counter()
                case = queue.claim_next(db.session, ALWAYS_OPEN, campaign_id, user_id, now)
                took = time.perf_counter() - start
                if case is None:
                    break
                with lock:
                    latencies.append(took)
                    served.append(case.id)
                interviews.record_call(db.session, None, ALWAYS_OPEN, case.id, user_id, CallRecord(41), now)
            db.session.remove()

    threads = [threading.Thread(target=shift, args=(uid,)) for uid in ids]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    ms = sorted(x * 1000 for x in latencies)
    twice = sum(1 for n in Counter(served).values() if n > 1)
    print(f"CLAIMS interviewers={INTERVIEWERS} queue={TOTAL_DRAW:,} claims={len(ms):,} wall_s={wall:.1f} "
          f"p50_ms={statistics.median(ms):.1f} p95_ms={ms[int(len(ms) * 0.95)]:.1f} "
          f"p99_ms={ms[int(len(ms) * 0.99)]:.1f} max_ms={ms[-1]:.1f} served_twice={twice}")


if __name__ == "__main__":
    main()
