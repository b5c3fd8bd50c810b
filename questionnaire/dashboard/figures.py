"""The dashboard's read model: figures summed from the tally tables, never from `responses`.

One `load` reads, within the account's scope, the per-entry response counts, the
per-entry option counts and the per-owner hourly counts (each a GROUP BY over a
small tally table), with or without flagged responses. Every figure is then a sum
over entry points:
- a county = entry points whose poster unit lies in the county (the county's own
  code and its townships' codes);
- a township / city unit = entry points whose poster unit it is;
- a satisfaction rate = weighted points / rated answers, both summed before dividing
  ("不了解" is left out of both, see campaigns/scoring.py);
- a satisfaction index (满意度指数) = the mean of the rates of the rating questions that
  have rated answers in that scope (each question weighs the same, like equal indicators;
  `scoring.satisfaction_index`, the same function as the tallies export).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import case, func, select

from questionnaire.campaigns.definition import Definition
from questionnaire.campaigns.models import Campaign, UnitTarget
from questionnaire.campaigns.scales import DONT_KNOW
from questionnaire.campaigns.scoring import rate_points, satisfaction_index
from questionnaire.campaigns.service import load_definitions
from questionnaire.dashboard import pace
from questionnaire.intake.models import CollectionPoint
from questionnaire.intake.visibility import scoped_points, small_cells
from questionnaire.kernel.china_time import china_date
from questionnaire.kernel.errors import NotInScope
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.tallies.arithmetic import hour_of
from questionnaire.tallies.models import TallyAnswer, TallyEntry, TallyHour, TallyState

HOURLY_POINTS = 48


@dataclass(frozen=True)
class EntryMeta:
    id: int
    code: str
    questionnaire_id: int
    collected_unit_id: int
    poster_name: str
    poster_kind: str
    county_id: int | None
    evaluated_name: str
    evaluated_unit_id: int
    channel: str


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    title: str
    target_responses: int
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    kind: str
    county_id: int | None
    sort_order: int


@dataclass
class Loaded:
    """Everything a dashboard read needs, already restricted to one scope and flag choice."""

    campaign: CampaignInfo
    scope: Scope
    include_flagged: bool
    entries: dict[int, EntryMeta]
    responses: dict[int, int]                  # per entry, as chosen (with or without flagged)
    flagged: dict[int, int]                    # per entry, flagged responses
    answers: dict[int, dict[tuple[str, str], int]]
    hours: dict[int, int]                      # hour -> responses (in scope, as chosen)
    hours_available: bool                      # False for a township account (hours are per county)
    definitions: dict[int, Definition]
    units: dict[int, UnitInfo]                 # org units in scope
    targets: dict[int, int]
    as_of: datetime | None
    # Points whose rates this account may not see: their channel's cell is below its minimum n.
    small_sample: frozenset[int] = frozenset()


@dataclass
class LeagueRow:
    unit_id: int
    code: str
    name: str
    kind: str
    responses: int
    flagged: int
    target: int | None
    share: float | None          # percent of its own target
    satisfaction_index: float | None   # percent, see campaigns/scoring.py
    county_id: int | None = None
    small_sample: bool = False         # some of its answers are withheld: "样本不足"


@dataclass
class Summary:
    campaign_id: int
    title: str
    total: int
    flagged: int
    include_flagged: bool
    target: int | None
    share: float | None
    last_24h: int | None
    projection: pace.Projection
    satisfaction_index: float | None
    as_of: datetime | None
    opens_at: datetime
    closes_at: datetime
    small_sample: bool = False


@dataclass
class OptionCount:
    value: str
    label: str
    count: int


@dataclass
class QuestionFigures:
    questionnaire: str
    question_id: str
    title: str
    type: str
    answered: int
    options: list[OptionCount]
    dont_know: int = 0
    rated: int = 0
    rate: float | None = None


@dataclass
class Series:
    hourly: list[dict] = field(default_factory=list)   # {"hour", "label", "responses"}
    daily: list[dict] = field(default_factory=list)    # {"date", "responses"}
    available: bool = True


def _flag_filter(query, column, include_flagged: bool):
    return query if include_flagged else query.where(column == 0)


def load(conn, campaign_id: int, scope: Scope, include_flagged: bool, channel: str | None = None) -> Loaded:
    """Read the tallies of one campaign within `scope`, of one channel or all (conn: a Session or a
    Connection). A channel is only a condition on the collection points: no channel has code here."""
    row = conn.execute(select(Campaign.id, Campaign.title, Campaign.target_responses, Campaign.opens_at,
                              Campaign.closes_at).where(Campaign.id == campaign_id)).first()
    if row is None:
        raise NotInScope()
    campaign = CampaignInfo(*row)
    in_scope = scoped_points(scope, CollectionPoint.channel, CollectionPoint.collected_unit_id,
                             CollectionPoint.evaluated_unit_id)
    if channel is not None:
        in_scope = in_scope & (CollectionPoint.channel == channel)
    poster = OrgUnit.__table__.alias("poster")
    evaluated = OrgUnit.__table__.alias("evaluated")
    entries = {}
    for row in conn.execute(
        select(CollectionPoint.id, CollectionPoint.code, CollectionPoint.questionnaire_id,
               CollectionPoint.collected_unit_id,
               poster.c.name, poster.c.kind, poster.c.county_id, evaluated.c.name, CollectionPoint.evaluated_unit_id,
               CollectionPoint.channel)
        .join(poster, poster.c.id == CollectionPoint.collected_unit_id)
        .join(evaluated, evaluated.c.id == CollectionPoint.evaluated_unit_id)
        .where(CollectionPoint.campaign_id == campaign_id, in_scope)
    ):
        entries[row[0]] = EntryMeta(*row)

    flagged_col = case((TallyEntry.flags == 0, 0), else_=1)
    responses: dict[int, int] = defaultdict(int)
    flagged: dict[int, int] = defaultdict(int)
    for ep_id, is_flagged, n in conn.execute(
        select(TallyEntry.collection_point_id, flagged_col, func.sum(TallyEntry.responses))
        .join(CollectionPoint, CollectionPoint.id == TallyEntry.collection_point_id)
        .where(TallyEntry.campaign_id == campaign_id, in_scope)
        .group_by(TallyEntry.collection_point_id, flagged_col)
    ):
        if is_flagged:
            flagged[ep_id] += int(n)
        if include_flagged or not is_flagged:
            responses[ep_id] += int(n)

    answers: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    query = (select(TallyAnswer.collection_point_id, TallyAnswer.question_id, TallyAnswer.value,
                    func.sum(TallyAnswer.responses))
             .join(CollectionPoint, CollectionPoint.id == TallyAnswer.collection_point_id)
             .where(TallyAnswer.campaign_id == campaign_id, in_scope)
             .group_by(TallyAnswer.collection_point_id, TallyAnswer.question_id, TallyAnswer.value))
    for ep_id, qid, value, n in conn.execute(_flag_filter(query, TallyAnswer.flags, include_flagged)):
        answers[ep_id][(qid, value)] = int(n)

    hours_available = True
    query = (select(TallyHour.hour, func.sum(TallyHour.responses))
             .where(TallyHour.campaign_id == campaign_id).group_by(TallyHour.hour))
    if channel is not None:
        query = query.where(TallyHour.channel == channel)
    if scope.role == "county":
        query = query.where(TallyHour.owner_unit_id == scope.county_id)
    elif not scope.is_admin:
        # Hours are kept per county or city unit: a township (or no-scope) account has no series.
        kind = conn.execute(select(OrgUnit.kind).where(OrgUnit.id == scope.unit_id)).scalar()
        hours_available = kind == "city_unit"
        query = query.where(TallyHour.owner_unit_id == (scope.unit_id if hours_available else -1))
    hours = {int(h): int(n) for h, n in conn.execute(_flag_filter(query, TallyHour.flags, include_flagged))}

    # Rates from too few answers of a confidential channel are withheld from county and unit accounts.
    small = small_cells(scope, ((e.id, e.channel, e.evaluated_unit_id) for e in entries.values()), responses)
    for ep_id in small:
        answers.pop(ep_id, None)

    definitions = load_definitions(conn, campaign_id)
    units = {row[0]: UnitInfo(*row) for row in conn.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.kind, OrgUnit.county_id, OrgUnit.sort_order)
        .where(scope.org_unit_clause()))}
    targets = dict(conn.execute(
        select(UnitTarget.unit_id, UnitTarget.target).where(UnitTarget.campaign_id == campaign_id)).all())
    as_of = conn.execute(select(TallyState.applied_at).where(TallyState.campaign_id == campaign_id)).scalar()
    return Loaded(campaign, scope, include_flagged, entries, dict(responses), dict(flagged), dict(answers),
                  hours, hours_available, definitions, units, targets, as_of, small)


# --- sums over entry points -------------------------------------------------------------

def _rating_counts(data: Loaded, entry_ids: Iterable[int]) -> tuple[dict, dict]:
    """Option counts per (questionnaire, rating question) summed over the entries, and their scales."""
    counts: dict[tuple[int, str], Counter] = defaultdict(Counter)
    scales: dict[tuple[int, str], str | None] = {}
    for ep_id in entry_ids:
        qn_id = data.entries[ep_id].questionnaire_id
        defn = data.definitions.get(qn_id)
        if defn is None:
            continue
        rating = {q.id: q.scale for q in defn.rating_questions()}
        for (qid, value), n in data.answers.get(ep_id, {}).items():
            if qid in rating:
                counts[(qn_id, qid)][value] += n
                scales[(qn_id, qid)] = rating[qid]
    return counts, scales


def _satisfaction_index(data: Loaded, entry_ids: Iterable[int]) -> float | None:
    return satisfaction_index(*_rating_counts(data, entry_ids))


def _row(data: Loaded, unit: UnitInfo, entry_ids: list[int]) -> LeagueRow:
    responses = sum(data.responses.get(e, 0) for e in entry_ids)
    target = data.targets.get(unit.id)
    return LeagueRow(unit.id, unit.code, unit.name, unit.kind, responses,
                     sum(data.flagged.get(e, 0) for e in entry_ids), target, pace.share(responses, target),
                     _satisfaction_index(data, entry_ids), unit.county_id,
                     any(e in data.small_sample for e in entry_ids))


def _units_of(data: Loaded, kind: str, county_id: int | None = None) -> list[UnitInfo]:
    units = [u for u in data.units.values() if u.kind == kind and (county_id is None or u.county_id == county_id)]
    return sorted(units, key=lambda u: (u.sort_order, u.code))


def _by_evaluated(data: Loaded) -> dict[int, list[int]]:
    by_unit: dict[int, list[int]] = defaultdict(list)
    for e in data.entries.values():
        by_unit[e.evaluated_unit_id].append(e.id)
    return by_unit


def county_rows(data: Loaded) -> list[LeagueRow]:
    """Per county: the points that evaluate it, wherever they were collected (its own QR codes
    and its townships', a unit head's rating of it, ...)."""
    by_county = _by_evaluated(data)
    return [_row(data, u, by_county.get(u.id, [])) for u in _units_of(data, "county")]


def _by_poster(data: Loaded) -> dict[int, list[int]]:
    by_unit: dict[int, list[int]] = defaultdict(list)
    for e in data.entries.values():
        by_unit[e.collected_unit_id].append(e.id)
    return by_unit


def township_rows(data: Loaded, county_id: int | None = None) -> list[LeagueRow]:
    by_unit = _by_poster(data)
    return [_row(data, u, by_unit.get(u.id, [])) for u in _units_of(data, "township", county_id)]


def unit_rows(data: Loaded) -> list[LeagueRow]:
    """Per city unit: the points that evaluate it."""
    by_unit = _by_evaluated(data)
    return [_row(data, u, by_unit.get(u.id, [])) for u in _units_of(data, "city_unit")]


def entry_rows(data: Loaded, county_id: int | None = None) -> list[dict]:
    rows = []
    for e in sorted(data.entries.values(), key=lambda e: (e.county_id or 0, e.poster_kind != "county", e.code)):
        if county_id is not None and e.county_id != county_id:
            continue
        rows.append({"entry_id": e.id, "code": e.code, "poster_unit": e.poster_name, "poster_kind": e.poster_kind,
                     "evaluated_unit": e.evaluated_name, "responses": data.responses.get(e.id, 0),
                     "flagged": data.flagged.get(e.id, 0),
                     "satisfaction_index": _satisfaction_index(data, [e.id]),
                     "small_sample": e.id in data.small_sample})
    return rows


def question_rows(data: Loaded, entry_ids: Iterable[int] | None = None) -> list[QuestionFigures]:
    """Per questionnaire and countable question: option counts and (rating) the weighted rate."""
    ids = list(data.entries) if entry_ids is None else list(entry_ids)
    per_q: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for ep_id in ids:
        q_id = data.entries[ep_id].questionnaire_id
        for (qid, value), n in data.answers.get(ep_id, {}).items():
            per_q[q_id][qid][value] += n
    used = {data.entries[e].questionnaire_id for e in ids}
    out = []
    for q_id in sorted(used):
        defn = data.definitions.get(q_id)
        if defn is None:
            continue
        for q in defn.tallied_questions():
            counts = per_q[q_id][q.id]
            known = {o.value for o in q.options}
            options = [OptionCount(o.value, o.label, counts.get(o.value, 0)) for o in q.options]
            # Values no longer offered (an older questionnaire version) still count as answered.
            options += [OptionCount(v, v, n) for v, n in sorted(counts.items()) if v not in known]
            fig = QuestionFigures(defn.title, q.id, q.title, q.type, sum(counts.values()), options)
            if q.type == "rating":
                points, rated = rate_points(counts, q.scale)
                fig.dont_know, fig.rated = counts.get(DONT_KNOW, 0), rated
                fig.rate = points / rated if rated else None
            out.append(fig)
    return out


def scope_target(data: Loaded) -> int | None:
    if data.scope.is_admin:
        return data.campaign.target_responses or None
    unit_id = data.scope.county_id if data.scope.role == "county" else data.scope.unit_id
    return data.targets.get(unit_id)


def summary(data: Loaded, now: datetime | None = None) -> Summary:
    now = now or datetime.now(timezone.utc)
    total = sum(data.responses.values())
    target = scope_target(data)
    current = hour_of(now.timestamp())
    last_24h = (sum(n for h, n in data.hours.items() if current - 23 <= h <= current)
                if data.hours_available else None)
    c = data.campaign
    return Summary(c.id, c.title, total, sum(data.flagged.values()), data.include_flagged, target,
                   pace.share(total, target), last_24h,
                   pace.project(total, target, last_24h, now, c.closes_at),
                   _satisfaction_index(data, data.entries), data.as_of, c.opens_at, c.closes_at,
                   bool(data.small_sample))


def series(data: Loaded, now: datetime | None = None) -> Series:
    now = now or datetime.now(timezone.utc)
    current = hour_of(now.timestamp())
    c = data.campaign
    last_day = min(china_date(now), china_date(c.closes_at))
    first_day = china_date(c.opens_at)
    return Series(
        hourly=[{"hour": h, "label": pace.hour_label(h), "responses": n}
                for h, n in pace.hourly(data.hours, current, HOURLY_POINTS)],
        daily=[{"date": d.isoformat(), "responses": n} for d, n in pace.daily(data.hours, first_day, last_day)],
        available=data.hours_available,
    )


def jsonable(value):
    """Dataclasses, dates and datetimes as JSON-ready plain data."""
    if hasattr(value, "__dataclass_fields__"):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
