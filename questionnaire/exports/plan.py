"""What an export contains: raw responses or tallies of a campaign, inside an account's scope.

No Flask here: the web request and the RQ job both call `plan` (validates the request
against the scope, which comes from the server-side user record) and `datasets.build`
(returns a `Dataset`: tables with headers plus one lazy iterator of rows). The writers in
exports/writers.py turn a Dataset into CSV or XLSX.

Raw responses are read through a server-side cursor (`stream_results` + `yield_per`),
so 1.2 M rows never sit in memory; answer codes become the option labels residents saw,
times become China time, flags become Chinese labels. The participant hash and the IP
hash are never selected. Tallies come from the tally tables (small: one row per entry
point, question and option), summed per county, township and city unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from questionnaire.campaigns.models import Campaign
from questionnaire.campaigns.service import load_questionnaires
from questionnaire.intake.channels import CHANNEL_LABELS, CHANNELS
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.intake.submissions import receipt_no
from questionnaire.intake.visibility import individual_rows_visible, scoped_points
from questionnaire.kernel.china_time import china_time, format_china_time
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.org.kinds import kind_label
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.tallies import flag_rules as F

DATASETS = {"responses": "原始答卷", "tallies": "统计汇总"}
FORMATS = ("xlsx", "csv")
CLIENT_LABELS = {"wechat": "微信", "browser": "浏览器", "api": "接口"}
PLATFORM_LABELS = {"android": "安卓", "ios": "苹果", "desktop": "电脑", "other": "其他"}
FLAG_HELP = {
    F.SPEEDER: "答题用时少于本次调查设定的最短时间（{min_seconds} 秒）",
    F.BURST_IP: "同一网段在 {window_seconds} 秒内提交超过 {max_per_ip_window} 份",
    F.BURST_ENTRY: "同一入口在 {window_seconds} 秒内提交超过 {max_per_entry_window} 份",
    F.STRAIGHT_LINE: "至少 {straight_line_min_questions} 道评分题全部选择同一档（“不了解”除外）",
    F.VOID: "经质量复核判为不合格：保留原始记录，但不计入任何统计",
}


class ExportRefused(ServiceError):
    status, code, message = 422, "export_refused", "导出条件有误"


@dataclass(frozen=True)
class ExportRequest:
    """What was asked for; ids only, so it can travel to an RQ job as plain data."""

    campaign_id: int
    dataset: str = "responses"
    fmt: str = "xlsx"
    unit_id: int | None = None  # one county (with its townships), one township or one city unit
    questionnaire_id: int | None = None
    include_flagged: bool = True
    channel: str | None = None  # one evaluation channel, or all

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ExportRequest:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Table:
    key: object
    title: str
    header: list[str]


@dataclass
class Dataset:
    tables: list[Table]
    rows: Iterable[tuple[object, list]]
    expected_rows: int
    readme: Callable[[dict, dict], list[list]]
    filename: str  # without extension, Chinese


@dataclass
class Plan:
    request: ExportRequest
    scope: Scope
    campaign: dict
    scope_label: str
    filter_label: str
    filter_scope: Scope | None
    questionnaires: list[dict] = field(default_factory=list)

    def entry_where(self) -> list:
        where = [CollectionPoint.campaign_id == self.request.campaign_id]
        for scope in (self.scope, self.filter_scope):
            if scope is not None:
                where.append(scoped_points(scope, CollectionPoint.channel, CollectionPoint.collected_unit_id,
                                           CollectionPoint.evaluated_unit_id))
                # Exports leave the system: confidential channels only through the office.
                where.append(individual_rows_visible(scope, CollectionPoint.channel))
        if self.request.questionnaire_id is not None:
            where.append(CollectionPoint.questionnaire_id == self.request.questionnaire_id)
        if self.request.channel is not None:
            where.append(CollectionPoint.channel == self.request.channel)
        return where

    def response_where(self) -> list:
        where = [Response.campaign_id == self.request.campaign_id]
        for scope in (self.scope, self.filter_scope):
            if scope is not None:
                where.append(scoped_points(scope, Response.channel, Response.collected_unit_id,
                                           Response.evaluated_unit_id))
                where.append(individual_rows_visible(scope, Response.channel))
        if self.request.questionnaire_id is not None:
            where.append(Response.questionnaire_id == self.request.questionnaire_id)
        if self.request.channel is not None:
            where.append(Response.channel == self.request.channel)
        if not self.request.include_flagged:
            where.append(Response.flags == 0)
        return where


def _unit(conn: Connection, unit_id: int | None):
    if unit_id is None:
        return None
    return conn.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.county_id)
                        .where(OrgUnit.id == unit_id)).first()


def scope_label(conn: Connection, scope: Scope) -> str:
    if scope.is_admin:
        return "全市（全部县区和市直单位）"
    if scope.role == "county":
        county = _unit(conn, scope.county_id)
        return f"{county.name}（含所辖乡镇）" if county else "无"
    if scope.role == "unit":
        unit = _unit(conn, scope.unit_id)
        return unit.name if unit else "无"
    return "无"


def plan(conn: Connection, scope: Scope, req: ExportRequest) -> Plan:
    """Check the request against the scope; anything outside it is NotInScope (404)."""
    if req.dataset not in DATASETS or req.fmt not in FORMATS:
        raise ExportRefused("请选择导出内容和文件格式")
    if req.channel is not None and req.channel not in CHANNELS:
        raise ExportRefused("请选择有效的评价渠道")
    if scope.role == "none":
        raise NotInScope()
    campaign = conn.execute(select(Campaign.id, Campaign.title, Campaign.settings)
                            .where(Campaign.id == req.campaign_id)).first()
    if campaign is None:
        raise NotInScope()
    filter_scope, filter_label = None, "不限"
    if req.unit_id is not None:
        unit = _unit(conn, req.unit_id)
        if unit is None or unit.kind == "city" or not scope.allows_unit(unit):
            raise NotInScope()
        if unit.kind == "county":
            filter_scope, filter_label = Scope(role="county", county_id=unit.id), f"{unit.name}（含所辖乡镇）"
        else:
            filter_scope, filter_label = Scope(role="unit", unit_id=unit.id), unit.name
    rows = list(load_questionnaires(conn, req.campaign_id).values())
    if req.questionnaire_id is not None:
        rows = [r for r in rows if r.id == req.questionnaire_id]
        if not rows:
            raise NotInScope()
    result = Plan(req, scope, {"id": campaign.id, "title": campaign.title, "settings": campaign.settings or {}},
                  scope_label(conn, scope), filter_label, filter_scope)
    used = set(conn.execute(select(CollectionPoint.questionnaire_id).where(*result.entry_where()).distinct()).scalars())
    result.questionnaires = [
        {"id": r.id, "key": r.key, "title": r.title, "definition": r.definition}
        for r in rows if r.id in used or not used
    ]
    return result


def user_agent_label(ua_class: str | None) -> str:
    if not ua_class:
        return ""
    client, _, platform = ua_class.partition("-")
    parts = [CLIENT_LABELS.get(client, client)]
    if platform:
        parts.append(PLATFORM_LABELS.get(platform, platform))
    return "-".join(parts)


def flag_label(bits: int) -> str:
    return "；".join(F.names(bits)) if bits else "无"


def _org_names(conn: Connection) -> dict[int, tuple]:
    return {r.id: (r.name, r.kind, r.county_id, r.sort_order) for r in conn.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.kind, OrgUnit.county_id, OrgUnit.sort_order))}


def _county_name(orgs: dict, unit_id: int) -> str:
    name, kind, county_id, _ = orgs[unit_id]
    if kind == "city_unit":
        return kind_label(kind)  # city units belong to no county: their kind stands in the 县区 column
    return orgs[county_id][0] if county_id in orgs else name


def _readme_head(p: Plan, generated_at: datetime) -> list[list]:
    req = p.request
    qn = p.questionnaires[0]["title"] if req.questionnaire_id is not None and p.questionnaires else "全部问卷"
    return [
        ["导出内容", DATASETS[req.dataset]],
        ["调查活动", p.campaign["title"]],
        ["账号可见范围", p.scope_label],
        ["筛选范围", p.filter_label],
        ["问卷", qn],
        ["评价渠道", CHANNEL_LABELS[req.channel] if req.channel else "全部渠道"],
        ["异常答卷", "包含（见“异常标记”列）" if req.include_flagged else "不包含（仅无异常标记的答卷）"],
        ["生成时间（北京时间）", format_china_time(generated_at, "%Y-%m-%d %H:%M:%S")],
    ]


def _flags_legend(p: Plan) -> list[list]:
    policy = asdict(F.FlagPolicy.from_settings(p.campaign["settings"]))
    rows = [[], ["异常标记说明", "异常答卷不会被删除，按标记单独统计；一份答卷可有多个标记"]]
    rows += [[F.LABELS[bit], FLAG_HELP[bit].format(**policy)] for bit in F.ALL]
    return rows


def filename(p: Plan, generated_at: datetime) -> str:
    where = p.filter_label if p.filter_scope is not None else p.scope_label.split("（")[0]
    stamp = format_china_time(generated_at, "%Y%m%d-%H%M")
    return f"{p.campaign['title']}-{DATASETS[p.request.dataset]}-{where}-{stamp}"


# --- raw responses -----------------------------------------------------------------------

def count_responses(conn: Connection, p: Plan) -> int:
    return conn.execute(select(func.count()).select_from(Response).where(*p.response_where())).scalar_one()


def _layout(qn: dict) -> tuple[list[str], list[tuple[str, dict | None]]]:
    defn = qn["definition"]
    header = ["答卷ID", "回执编号", "提交时间（北京时间）", "县区", "乡镇/单位", "被评价对象", "入口编号"]
    header += [f"{i}. {q.title}" for i, q in enumerate(defn.questions, 1)]
    header += ["答题用时（秒）", "异常标记", "终端类型"]
    columns = [(q.id, {o.value: o.label for o in q.options} if q.type != "text" else None) for q in defn.questions]
    return header, columns


def response_rows(conn: Connection, p: Plan, yield_per: int = 2000) -> Iterator[tuple[int, list]]:
    """(questionnaire id, row) per response, oldest first, read through a server-side cursor."""
    orgs = _org_names(conn)
    codes = dict(conn.execute(select(CollectionPoint.id, CollectionPoint.code)
                              .where(CollectionPoint.campaign_id == p.request.campaign_id)).all())
    layouts = {qn["id"]: _layout(qn)[1] for qn in p.questionnaires}
    flag_labels: dict[int, str] = {}
    ua_labels: dict[str | None, str] = {}
    t = Response.__table__
    query = (
        select(t.c.id, t.c.questionnaire_id, t.c.submission_id, t.c.created_at, t.c.collection_point_id,
               t.c.evaluated_unit_id, t.c.collected_unit_id, t.c.answers, t.c.duration_seconds, t.c.flags,
               t.c.user_agent_class)
        .where(*p.response_where()).order_by(t.c.id)
        .execution_options(stream_results=True, yield_per=yield_per)
    )
    for r in conn.execute(query):
        columns = layouts.get(r.questionnaire_id)
        if columns is None:
            continue
        answers = r.answers or {}
        row = [r.id, receipt_no(r.submission_id), china_time(r.created_at), _county_name(orgs, r.collected_unit_id),
               orgs[r.collected_unit_id][0], orgs[r.evaluated_unit_id][0], codes.get(r.collection_point_id, "")]
        for qid, labels in columns:
            value = answers.get(qid)
            row.append(value if labels is None or value is None else labels.get(value, value))
        if r.flags not in flag_labels:
            flag_labels[r.flags] = flag_label(r.flags)
        if r.user_agent_class not in ua_labels:
            ua_labels[r.user_agent_class] = user_agent_label(r.user_agent_class)
        row += [r.duration_seconds, flag_labels[r.flags], ua_labels[r.user_agent_class]]
        yield r.questionnaire_id, row


FIXED_COLUMNS, TAIL_COLUMNS = 7, 3  # before and after the question columns in _layout


def _one_table(p: Plan, rows: Iterator[tuple[int, list]]) -> tuple[Table, Iterator[tuple[str, list]]]:
    """Several questionnaires in one CSV: a 问卷 column, then every questionnaire's questions side by side."""
    headers = {qn["id"]: _layout(qn)[0] for qn in p.questionnaires}
    first = headers[p.questionnaires[0]["id"]]
    header = first[:FIXED_COLUMNS] + ["问卷"]
    slots, offset = {}, 0
    for qn in p.questionnaires:
        questions = headers[qn["id"]][FIXED_COLUMNS:-TAIL_COLUMNS]
        header += [f"【{qn['title']}】{h}" for h in questions]
        slots[qn["id"]] = (qn["title"], offset, len(questions))
        offset += len(questions)
    header += first[-TAIL_COLUMNS:]

    def combined():
        for qn_id, row in rows:
            title, before, n = slots[qn_id]
            yield "all", (row[:FIXED_COLUMNS] + [title] + [None] * before + row[FIXED_COLUMNS:-TAIL_COLUMNS]
                          + [None] * (offset - before - n) + row[-TAIL_COLUMNS:])

    return Table("all", "原始答卷", header), combined()


def responses_dataset(conn: Connection, p: Plan, generated_at: datetime, yield_per: int) -> Dataset:
    tables = [Table(qn["id"], qn["title"], _layout(qn)[0]) for qn in p.questionnaires]
    titles = {qn["id"]: qn["title"] for qn in p.questionnaires}
    rows = response_rows(conn, p, yield_per)
    if p.request.fmt == "csv" and len(tables) > 1:
        table, rows = _one_table(p, rows)
        tables, titles = [table], {"all": "全部问卷"}

    def readme(counts: dict, sheets: dict) -> list[list]:
        rows = _readme_head(p, generated_at)
        rows.append(["答卷总数", sum(counts.values())])
        for key, n in counts.items():
            rows.append([f"{titles[key]}（工作表：{'、'.join(sheets.get(key, []))}）", n])
        rows.append(["时间", "所有时间均为北京时间（UTC+8）"])
        rows.append(["隐私", "不含参与者标识和IP信息；意见建议按原文导出"])
        return rows + _flags_legend(p)

    return Dataset(tables, rows, count_responses(conn, p), readme, filename(p, generated_at))
