"""Live standings of every county or city unit: scored from the tally tables, never from `responses`.

Per entity (the unit its answers **evaluate**) and channel, the option counts of each rating
question are summed over the collection points (tally_answers) and turned into rates by
campaigns/scoring.py: a channel's rate is its satisfaction index (the mean of its rating
questions' weighted rates, the dashboard's figure), a question's rate its weighted rate. Flagged
responses (anti-fraud) are left out of results. Then results/engine.py scores the entity with the
kind's current scheme version, and entities are ranked (equal published scores share a rank).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, select

from questionnaire.campaigns.models import Campaign
from questionnaire.campaigns.scoring import exact_rate, exact_satisfaction_index
from questionnaire.campaigns.service import load_definitions
from questionnaire.intake.channels import scored_channel
from questionnaire.intake.models import CollectionPoint
from questionnaire.kernel.numbers import exact
from questionnaire.org.models import OrgUnit
from questionnaire.results import service
from questionnaire.results.engine import EntityInputs, EntityScore, evaluate, rank
from questionnaire.results.feeds import fed_figures
from questionnaire.results.models import FINAL, ResultPublication, ScoringScheme
from questionnaire.results.rounds import MID_YEAR, YEAR_END, combine_rounds
from questionnaire.results.scheme import Scheme
from questionnaire.tallies.models import TallyAnswer, TallyEntry, TallyState


@dataclass(frozen=True)
class Entity:
    id: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Standing:
    entity: Entity
    inputs: EntityInputs
    score: EntityScore
    rank: int
    tied: bool
    year_score: Fraction | None = None  # the rounds combined (rounds.py), when the scheme blends a mid-year round


@dataclass(frozen=True)
class Standings:
    campaign_id: int
    kind: str
    scheme_row: ScoringScheme
    scheme: Scheme
    rows: list[Standing]       # every entity of the kind, best first
    as_of: datetime | None
    question_titles: dict[str, str]
    year_note: str = ""  # why there is no year result yet, when the scheme blends rounds


def entity_counts(conn, campaign_id: int, kind: str):
    """Clean (unflagged) tallies of every entity of `kind`, by the unit the answers evaluate:
    (unit, channel) -> {(questionnaire, question): {value: n}}, and (unit, channel) -> responses."""
    answers: dict = defaultdict(lambda: defaultdict(dict))
    evaluated = (OrgUnit.id == CollectionPoint.evaluated_unit_id) & (OrgUnit.kind == kind)
    for unit_id, channel, qn_id, qid, value, n in conn.execute(
        select(CollectionPoint.evaluated_unit_id, CollectionPoint.channel, CollectionPoint.questionnaire_id,
               TallyAnswer.question_id, TallyAnswer.value, func.sum(TallyAnswer.responses))
        .join(CollectionPoint, CollectionPoint.id == TallyAnswer.collection_point_id)
        .join(OrgUnit, evaluated)
        .where(TallyAnswer.campaign_id == campaign_id, TallyAnswer.flags == 0)
        .group_by(CollectionPoint.evaluated_unit_id, CollectionPoint.channel, CollectionPoint.questionnaire_id,
                  TallyAnswer.question_id, TallyAnswer.value)
    ):
        counts = answers[(unit_id, scored_channel(channel))][(qn_id, qid)]
        counts[value] = counts.get(value, 0) + int(n)
    responses: dict = {}
    for unit_id, channel, n in conn.execute(
        select(CollectionPoint.evaluated_unit_id, CollectionPoint.channel, func.sum(TallyEntry.responses))
        .join(CollectionPoint, CollectionPoint.id == TallyEntry.collection_point_id)
        .join(OrgUnit, evaluated)
        .where(TallyEntry.campaign_id == campaign_id, TallyEntry.flags == 0)
        .group_by(CollectionPoint.evaluated_unit_id, CollectionPoint.channel)
    ):
        key = (unit_id, scored_channel(channel))
        responses[key] = responses.get(key, 0) + int(n)
    return answers, responses


def entity_inputs(answers: dict, responses: dict, scales: dict, externals: dict) -> dict[int, EntityInputs]:
    """Rates per entity from option counts: keyed (unit, channel) -> {(questionnaire, question): counts}."""
    rates: dict = defaultdict(dict)
    question_rates: dict = defaultdict(dict)
    for (unit_id, channel), per_question in answers.items():
        rating = {key: counts for key, counts in per_question.items() if key in scales}
        rates[unit_id][channel] = exact_satisfaction_index(rating, scales)
        merged: dict = defaultdict(lambda: defaultdict(int))  # a question id across questionnaires
        for (_, qid), counts in rating.items():
            for value, n in counts.items():
                merged[qid][value] += n
        for qid, counts in merged.items():
            scale = next(s for (_, q), s in scales.items() if q == qid)
            question_rates[unit_id][(channel, qid)] = exact_rate(counts, scale)
    counts: dict = defaultdict(dict)
    for (unit_id, channel), n in responses.items():
        counts[unit_id][channel] = n
    units = set(rates) | set(counts) | set(externals)
    return {u: EntityInputs(rates.get(u, {}), counts.get(u, {}), question_rates.get(u, {}), externals.get(u, {}))
            for u in units}


def rating_scales(definitions) -> dict[tuple[int, str], str | None]:
    return {(qn_id, q.id): q.scale for qn_id, defn in definitions.items() for q in defn.rating_questions()}


def build(session, campaign_id: int, kind: str, scheme_row: ScoringScheme | None = None) -> Standings | None:
    """Standings of every entity of `kind` under the kind's current scheme (or `scheme_row`); None without one."""
    scheme_row = scheme_row or service.latest(session, campaign_id, kind)
    if scheme_row is None:
        return None
    scheme = service.parsed(scheme_row)
    answers, responses = entity_counts(session, campaign_id, kind)
    definitions = load_definitions(session, campaign_id)
    externals = service.with_fed_values(service.external_values(session, campaign_id), scheme.tree,
                                        fed_figures(session, campaign_id))
    inputs = entity_inputs(answers, responses, rating_scales(definitions), externals)
    entities = [Entity(*row) for row in session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.kind).where(OrgUnit.kind == kind)
        .order_by(OrgUnit.sort_order, OrgUnit.code))]
    empty = EntityInputs(channel_rates={})
    scores = {e.id: evaluate(scheme, inputs.get(e.id, empty)) for e in entities}
    ranks = rank({unit_id: score.total for unit_id, score in scores.items()})
    mid_year, year_note = _mid_year_scores(session, campaign_id, kind, scheme)
    rows = [Standing(e, inputs.get(e.id, empty), scores[e.id], *ranks[e.id],
                     year_score=combine_rounds({MID_YEAR: mid_year.get(e.id), YEAR_END: scores[e.id].total},
                                               scheme.rounds) if mid_year else None)
            for e in entities]
    rows.sort(key=lambda s: (s.rank, s.entity.code))
    as_of = session.scalar(select(TallyState.applied_at).where(TallyState.campaign_id == campaign_id))
    titles = {q.id: q.title for d in definitions.values() for q in d.rating_questions()}
    return Standings(campaign_id, kind, scheme_row, scheme, rows, as_of, titles, year_note)


def _mid_year_scores(session, campaign_id: int, kind: str, scheme: Scheme) -> tuple[dict[int, Fraction], str]:
    """Each entity's exact score in the final results of the scheme's mid-year campaign, and a note."""
    if not scheme.rounds.get(MID_YEAR) or session.get(Campaign, campaign_id).round != YEAR_END:
        return {}, ""
    mid = session.scalar(select(Campaign).where(Campaign.slug == scheme.mid_year_campaign))
    final = None if mid is None else session.scalar(select(ResultPublication).where(
        ResultPublication.campaign_id == mid.id, ResultPublication.kind == kind, ResultPublication.stage == FINAL)
        .order_by(ResultPublication.id.desc()).limit(1))
    if final is None:
        return {}, "中期评议最终结果尚未发布，暂无全年结果"
    return {e["unit_id"]: exact(e["score_exact"]) for e in final.results["entities"]}, ""

