"""The October feedback per frame-responsible entity: counts, rates, failures, satisfaction.

Counts come from the frames and cases; satisfaction per question from the tally tables of the
entity's phone collection point (a voided interview is in no bucket), through
campaigns/scoring.py like every other rate. Below SMALL_N completes a unit's own sheet says
"样本不足" instead of the satisfaction figures; the office sees the values (P8). Units never see
the drawn list: only its size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.campaigns import scoring
from questionnaire.campaigns.service import load_definitions
from questionnaire.channels.phone.frames import list_frames
from questionnaire.channels.phone.models import PhoneCase
from questionnaire.channels.phone.outcomes import OUTCOMES
from questionnaire.channels.phone.rates import SMALL_N, FrameRates, frame_rates
from questionnaire.intake.channels import PHONE
from questionnaire.intake.models import CollectionPoint
from questionnaire.org.scope import Scope
from questionnaire.tallies.models import TallyAnswer

CLASSES = {code: o.aapor for code, o in OUTCOMES.items()}
FAILURE_CODES = (21, 22, 23, 31, 32, 33, 41, 42, 43, 51, 61)


@dataclass
class QuestionRate:
    title: str
    rated: int
    rate: float | None


@dataclass
class FeedbackRow:
    unit_id: int
    unit_name: str
    submitted: int
    valid: int
    invalid: int
    duplicates: int
    drawn: int
    rates: FrameRates
    failures: dict[int, int]
    questions: list[QuestionRate] = field(default_factory=list)
    index: float | None = None

    @property
    def small_sample(self) -> bool:
        return self.rates.completes < SMALL_N


def _satisfaction(session: Session, campaign_id: int, unit_id: int, definitions) -> tuple[list[QuestionRate], float]:
    point = session.execute(select(CollectionPoint.id, CollectionPoint.questionnaire_id).where(
        CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == PHONE,
        CollectionPoint.evaluated_unit_id == unit_id)).first()
    if point is None:
        return [], None
    definition = definitions[point.questionnaire_id]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for qid, value, n in session.execute(
            select(TallyAnswer.question_id, TallyAnswer.value, func.sum(TallyAnswer.responses))
            .where(TallyAnswer.campaign_id == campaign_id, TallyAnswer.collection_point_id == point.id)
            .group_by(TallyAnswer.question_id, TallyAnswer.value)):
        counts[qid][value] = int(n)
    questions, per_question, scales = [], {}, {}
    for q in definition.rating_questions():
        _, rated = scoring.rate_points(counts.get(q.id, {}), q.scale)
        questions.append(QuestionRate(q.title, rated, scoring.weighted_rate(counts.get(q.id, {}), q.scale)))
        per_question[q.id], scales[q.id] = counts.get(q.id, {}), q.scale
    return questions, scoring.satisfaction_index(per_question, scales)


def feedback_rows(session: Session, scope: Scope, campaign_id: int) -> list[FeedbackRow]:
    """One row per frame the account may see (its own entity's; the office: every frame)."""
    summaries = list_frames(session, scope, campaign_id)
    unit_ids = [s.frame.org_unit_id for s in summaries]
    drawn = dict(session.execute(select(PhoneCase.evaluated_unit_id, func.count())
                                 .where(PhoneCase.campaign_id == campaign_id, PhoneCase.kind == "interview",
                                        PhoneCase.evaluated_unit_id.in_(unit_ids))
                                 .group_by(PhoneCase.evaluated_unit_id)).all())
    finals: dict[int, dict[int, int]] = defaultdict(dict)
    for unit_id, code, n in session.execute(
            select(PhoneCase.evaluated_unit_id, PhoneCase.last_outcome, func.count())
            .where(PhoneCase.campaign_id == campaign_id, PhoneCase.status == "final", PhoneCase.kind == "interview",
                   PhoneCase.evaluated_unit_id.in_(unit_ids))
            .group_by(PhoneCase.evaluated_unit_id, PhoneCase.last_outcome)):
        finals[unit_id][code] = n
    definitions = load_definitions(session, campaign_id)
    rows = []
    for s in summaries:
        unit_id = s.frame.org_unit_id
        questions, index = _satisfaction(session, campaign_id, unit_id, definitions)
        rows.append(FeedbackRow(
            unit_id, s.unit_name, s.frame.rows_total, s.frame.rows_valid, s.frame.rows_invalid, s.frame.duplicates,
            drawn.get(unit_id, 0), frame_rates(finals[unit_id], CLASSES),
            {code: finals[unit_id].get(code, 0) for code in FAILURE_CODES}, questions, index))
    return rows
