"""Demo phone interviews: six entities' frames, a draw of 180, and a morning's calls.

Everything goes the way the office and an interviewer do it (frames.upload, draw.run_draw,
queue.claim_next, interviews.record_call through the one intake), with made-up numbers in the
reserved 139 0000 xxxx range, so the phone pages, the dashboard's 电话访问 channel and the
feedback page show data. Idempotent: a campaign that already has a draw is left alone.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.models import OfficeUser
from questionnaire.channels.phone import draw, frames, interviews, queue
from questionnaire.channels.phone.interviews import CallRecord
from questionnaire.channels.phone.models import Draw
from questionnaire.channels.phone.outcomes import PhonePolicy
from questionnaire.intake.points import load_point
from questionnaire.intake.submissions import SubmissionStore
from questionnaire.org.models import OrgUnit

ENTITIES_PER_KIND = 3
NUMBERS_PER_FRAME = 80
DRAWN = 180
CALLS = 120
SEED = "demo-2026"
# Roughly a real morning: most calls reach someone, a few numbers are dead, some ring out.
OUTCOME_MIX = (11,) * 9 + (31, 31, 33, 41, 42, 21, 22)
LEVELS = ("5", "5", "5", "4", "4", "4", "3", "2", "dk")
ALWAYS_OPEN = PhonePolicy(calling_hours=((time(0), time(23, 59, 59)),))
INTERVIEWER = "interviewer-1"


def _frame_csv(entity_no: int) -> bytes:
    lines = ["序号,电话号码,样本类型"]
    for i in range(NUMBERS_PER_FRAME):
        kind = "服务对象" if i % 3 else "企业"
        lines.append(f"{i + 1},1390000{entity_no:02d}{i:02d},{kind}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _answers(session: Session, case, rng: random.Random) -> dict:
    """A plausible answer to every closed question of the case's questionnaire."""
    answers = {}
    for q in load_point(session, case.collection_point_id).definition.questions:
        values = [o.value for o in q.options]
        if not values:
            continue
        preferred = [v for v in LEVELS if v in values]
        answers[q.id] = rng.choice(preferred) if preferred else rng.choice(values)
    return answers


def seed(session: Session, store: SubmissionStore, keys: frames.PersonalKeys, campaign_id: int) -> str:
    """Frames, the draw and the calls (commits); says what it did."""
    if session.scalar(select(Draw.id).where(Draw.campaign_id == campaign_id)) is not None:
        return "demo phone interviews: already drawn, left alone"
    interviewer_id = session.scalar(select(OfficeUser.id).where(OfficeUser.username == INTERVIEWER))
    if interviewer_id is None:
        return f"demo phone interviews: no {INTERVIEWER} account (run create-demo-accounts first)"
    entities = []
    for kind in ("county", "city_unit"):
        entities += session.scalars(select(OrgUnit).where(OrgUnit.kind == kind)
                                    .order_by(OrgUnit.sort_order, OrgUnit.id).limit(ENTITIES_PER_KIND)).all()
    for n, unit in enumerate(entities):
        frame, _ = frames.upload(session, keys, campaign_id, unit, f"{unit.name}样本框.csv", _frame_csv(n), None)
        frames.set_locked(session, frame.id, True)
    draw.run_draw(session, campaign_id, DRAWN, seed=SEED)
    rng = random.Random(SEED)
    completes = 0
    for _ in range(CALLS):
        now = datetime.now(timezone.utc)
        case = queue.claim_next(session, ALWAYS_OPEN, campaign_id, interviewer_id, now)
        if case is None:
            break
        code = rng.choice(OUTCOME_MIX)
        answers = _answers(session, case, rng) if code == 11 else None
        interviews.record_call(session, store, ALWAYS_OPEN, case.id, interviewer_id, CallRecord(code, answers), now)
        completes += code == 11
    return f"demo phone interviews: frames={len(entities)} drawn={DRAWN} calls={CALLS} completes={completes}"
