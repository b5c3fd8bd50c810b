"""The tallies export: response and option counts, weighted rates and the satisfaction index (no Flask).

Read from the tally tables (one row per entry point, flag set, question and option), so
the whole thing is a few thousand rows even at 1.2 M responses. Figures are summed per
poster unit (a county's own code, each township, each city unit), per county (county
code + its townships) and for the whole export; every unit with an entry point in scope
gets its rows, including those with no answers yet.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from questionnaire.campaigns.scoring import satisfaction_index, weighted_rate
from questionnaire.exports import plan as X
from questionnaire.intake.models import CollectionPoint
from questionnaire.kernel import dialect
from questionnaire.kernel.china_time import format_china_time
from questionnaire.org.kinds import kind_label
from questionnaire.tallies.models import TallyAnswer, TallyEntry, TallyState

INDEX_COLUMN = "满意度指数（%）"
SUMMARY_HEADER = ["层级", "县区", "乡镇/单位", "问卷", "答卷数", INDEX_COLUMN]
# The group's index is repeated on each of its detail rows: the CSV holds only this table.
DETAIL_HEADER = ["层级", "县区", "乡镇/单位", "问卷", "答卷数", INDEX_COLUMN, "题号", "题目", "选项", "人数",
                 "占比（%）", "本题满意率（%）"]
LEVELS = {"all": "合计", "county_total": "县区合计", "county": "县区本级",
          "township": kind_label("township"), "city_unit": kind_label("city_unit")}


class _Group:
    def __init__(self, level: str, county: str, unit: str):
        self.level, self.county, self.unit = level, county, unit
        self.responses: Counter = Counter()  # questionnaire id -> responses
        self.answers: dict[int, Counter] = defaultdict(Counter)  # questionnaire id -> (question, value) -> n

    def add(self, other: _Group) -> None:
        self.responses.update(other.responses)
        for qn_id, counts in other.answers.items():
            self.answers[qn_id].update(counts)


def _rate(value: float | None):
    return None if value is None else round(value, 2)


def _groups(conn: Connection, p: X.Plan) -> list[_Group]:
    orgs = X._org_names(conn)
    flags_ok = [] if p.request.include_flagged else [TallyEntry.flags == 0]
    units: dict[int, _Group] = {}
    qn_ids = {qn["id"] for qn in p.questionnaires}

    def unit_group(unit_id: int) -> _Group:
        if unit_id not in units:
            name, kind, _, _ = orgs[unit_id]
            units[unit_id] = _Group(kind, X._county_name(orgs, unit_id), name)
        return units[unit_id]

    for unit_id, qn_id in conn.execute(select(CollectionPoint.collected_unit_id, CollectionPoint.questionnaire_id)
                                       .where(*p.entry_where()).distinct()):
        if qn_id in qn_ids:
            unit_group(unit_id).responses[qn_id] += 0
    for unit_id, qn_id, n in conn.execute(
        select(CollectionPoint.collected_unit_id, CollectionPoint.questionnaire_id, func.sum(TallyEntry.responses))
        .join(CollectionPoint, CollectionPoint.id == TallyEntry.collection_point_id)
        .where(TallyEntry.campaign_id == p.request.campaign_id, *p.entry_where(), *flags_ok)
        .group_by(CollectionPoint.collected_unit_id, CollectionPoint.questionnaire_id)
    ):
        if qn_id in qn_ids:
            unit_group(unit_id).responses[qn_id] += int(n)
    answer_flags = [] if p.request.include_flagged else [TallyAnswer.flags == 0]
    for unit_id, qn_id, question, value, n in conn.execute(
        select(CollectionPoint.collected_unit_id, CollectionPoint.questionnaire_id, TallyAnswer.question_id,
               TallyAnswer.value, func.sum(TallyAnswer.responses))
        .join(CollectionPoint, CollectionPoint.id == TallyAnswer.collection_point_id)
        .where(TallyAnswer.campaign_id == p.request.campaign_id, *p.entry_where(), *answer_flags)
        .group_by(CollectionPoint.collected_unit_id, CollectionPoint.questionnaire_id, TallyAnswer.question_id,
                  TallyAnswer.value)
    ):
        if qn_id in qn_ids:
            unit_group(unit_id).answers[qn_id][(question, value)] += int(n)

    def order(unit_id: int):
        name, kind, county_id, sort = orgs[unit_id]
        if kind == "city_unit":
            return (1, 0, 0, sort, unit_id)
        county_sort = orgs[county_id][3] if county_id in orgs else 0
        return (0, county_sort, county_id or 0, 0 if kind == "county" else 1, sort, unit_id)

    total = _Group("all", "全部", "全部")
    result: list[_Group] = [total]
    current_county = None
    for unit_id in sorted(units, key=order):
        group = units[unit_id]
        county_id = orgs[unit_id][2]
        if group.level != "city_unit" and county_id != current_county:
            current_county = county_id
            county_total = _Group("county_total", group.county, "合计")
            result.append(county_total)
        if group.level != "city_unit":
            county_total.add(group)
        total.add(group)
        result.append(group)
    return result


def _index(g: _Group, qn: dict) -> float | None:
    """满意度指数 of one group and questionnaire (campaigns/scoring.py, as on the dashboard)."""
    rating = {q.id: q.scale for q in qn["definition"].rating_questions()}
    per_question: dict[str, Counter] = defaultdict(Counter)
    for (question, value), n in g.answers[qn["id"]].items():
        if question in rating:
            per_question[question][value] += n
    return _rate(satisfaction_index(per_question, rating))


def _summary_rows(groups: list[_Group], p: X.Plan):
    for g in groups:
        for qn in p.questionnaires:
            if qn["id"] not in g.responses:
                continue
            yield "summary", [LEVELS[g.level], g.county, g.unit, qn["title"], g.responses[qn["id"]], _index(g, qn)]


def _detail_rows(groups: list[_Group], p: X.Plan):
    for g in groups:
        for qn in p.questionnaires:
            if qn["id"] not in g.responses:
                continue
            counts = g.answers[qn["id"]]
            head = [LEVELS[g.level], g.county, g.unit, qn["title"], g.responses[qn["id"]], _index(g, qn)]
            for i, q in enumerate(qn["definition"].questions, 1):
                if not q.is_tallied:
                    continue  # free text is in the raw export
                per_option = {o.value: counts.get((q.id, o.value), 0) for o in q.options}
                answered = sum(per_option.values())
                rate = _rate(weighted_rate(per_option, q.scale)) if q.type == "rating" else None
                for o in q.options:
                    n = per_option[o.value]
                    share = round(100 * n / answered, 2) if answered else None
                    yield "detail", head + [i, q.title, o.label, n, share, rate]


def dataset(conn: Connection, p: X.Plan, generated_at: datetime, csv: bool = False) -> X.Dataset:
    groups = _groups(conn, p)
    rows = list(_detail_rows(groups, p))
    tables = [X.Table("detail", "分题统计", DETAIL_HEADER)]
    if not csv:
        rows = list(_summary_rows(groups, p)) + rows
        tables.insert(0, X.Table("summary", "单位汇总", SUMMARY_HEADER))
    as_of = conn.execute(select(TallyState.applied_at).where(TallyState.campaign_id == p.request.campaign_id)
                         ).scalar_one_or_none()
    lag = dialect.replica_lag_seconds(conn)  # read from a replica (READ_DATABASE_URL): how far behind

    def readme(counts: dict, sheets: dict) -> list[list]:
        out = X._readme_head(p, generated_at)
        as_of_text = format_china_time(as_of, "%Y-%m-%d %H:%M:%S") or "尚未统计"
        out.append(["统计截至（北京时间）", as_of_text + dialect.replica_lag_label(lag)])
        out.append(["说明", "统计表由后台定时增量更新；逐条核对请使用“原始答卷”导出"])
        out.append(["满意率算法", "非常满意100%、满意80%、一般60%、不满意30%、非常不满意0%加权平均；“不了解”不计入"])
        out.append(["满意度指数",
                    "该单位各评分题满意率的算术平均（每题权重相同，无有效评分的题不计入），与实时看板一致"])
        out += [[f"工作表“{'、'.join(sheets.get(key, []))}”行数", n] for key, n in counts.items()]
        return out + X._flags_legend(p)

    return X.Dataset(tables, rows, len(rows), readme, X.filename(p, generated_at))
