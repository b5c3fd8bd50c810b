"""The city-wide report: workload against plan, league tables of counties and city units, city-wide
per-question rates, where points are lost, suggestions and the scoring method (pure).

Scores, grades and ranks are the results package's display strings; the only new arithmetic is
counting (entities per grade, entities losing points on an indicator), shares of those counts,
completion rates from counts and city-wide rates summed from the same tallies through
campaigns/scoring.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from questionnaire.campaigns.scoring import exact_satisfaction_index
from questionnaire.kernel.numbers import format_percent, format_score
from questionnaire.reports.model import (
    BLUE,
    DRAFT_WATERMARK,
    RED,
    BarChart,
    BarSeries,
    Chapter,
    Paragraph,
    Report,
    Table,
    chapter_heading,
    completion_text,
    count_text,
    exact_number,
    number,
    share_text,
)
from questionnaire.reports.sources import CitySource, KindResults
from questionnaire.reports.tables import question_tables

CHART_LIMIT = 20  # more entities than this get a chart of their grades instead of one bar each


class _Numbers:
    def __init__(self):
        self.table = 0
        self.figure = 0

    def next_table(self) -> int:
        self.table += 1
        return self.table

    def next_figure(self) -> int:
        self.figure += 1
        return self.figure


def _workload(src: CitySource, n: _Numbers) -> Chapter:
    rows = [(line.item, count_text(line.planned), count_text(line.actual), completion_text(line.actual, line.planned),
             count_text(line.flagged)) for line in src.workload]
    entities = sum(len(k.entities) for k in src.kinds)
    table = Table(f"表{n.next_table()} 年度工作量统计", ("工作内容", "计划", "实际完成", "完成率", "其中标记答卷"),
                  tuple(rows), (34, 16, 16, 16, 18), align="lrrrr",
                  note="完成率 = 实际完成 ÷ 计划，由系统按计数计算；实际完成含被防刷规则标记的答卷"
                       "（评价结果不计入这些答卷）。")
    kinds = "、".join(f"{len(k.entities)} 个{k.kind_label}" for k in src.kinds)
    text = (f"{src.campaign.title}（{src.campaign.round_label}）共评价 {entities} 个对象（{kinds}）。"
            f"{src.campaign.period}。各渠道工作量与计划见表{n.table}。")
    notes = [Paragraph(k.status.note, "note") for k in src.kinds[:1]]
    return Chapter(chapter_heading(0, "总体情况"), (*notes, Paragraph(text), table))


def _grade_counts(k: KindResults) -> list[tuple[str, str, int]]:
    bounds = k.scheme_info["grades"]
    out = []
    for i, bound in enumerate(bounds):
        upper = "" if i == 0 else f"，{bounds[i - 1]['min']} 分以下"
        count = sum(1 for e in k.entities if e["grade"] == bound["label"])
        out.append((bound["label"], f"{bound['min']} 分（含）以上{upper}", count))
    return out


def _league(k: KindResults, channels: Sequence[Mapping], n: _Numbers) -> Table:
    header = ["排名", "名称", "综合得分", "等级", "渠道加权满意率"]
    for ch in channels:
        header += [f"{ch['label']}样本", f"{ch['label']}满意度"]
    rows = []
    for e in k.entities:
        parts = {c["channel"]: c for c in e["channels"]}
        row = [("并列" if e["tied"] else "") + str(e["rank"]), e["name"], e["score"], e["grade"], e["weighted_rate"]]
        for ch in channels:
            part = parts.get(ch["channel"])
            rate = (f"{part['rate']}（样本不足）" if part.get("short") else part["rate"]) if part else "—"
            row += [count_text(part["responses"]) if part else "—", rate]
        rows.append(tuple(row))
    widths = (8, 26, 10, 7, 12, *([10, 11] * len(channels)))
    return Table(f"表{n.next_table()} {k.kind_label}评价结果排名", tuple(header), tuple(rows), widths,
                 align="clrcr" + "rr" * len(channels), note="得分相同的对象并列同一名次（如 1、2、2、4）。")


def _losses(k: KindResults, n: _Numbers) -> Table:
    leaves: dict[str, dict] = {}
    for e in k.entities:
        for row in e["indicators"]:
            if not row["leaf"]:
                continue
            item = leaves.setdefault(row["path"], {"name": row["name"], "points": row["points"], "losing": 0,
                                                   "lowest": None})
            if exact_number(row["lost"]) > 0:
                item["losing"] += 1
            if item["lowest"] is None or exact_number(row["awarded"]) < exact_number(item["lowest"][1]):
                item["lowest"] = (e["name"], row["awarded"])
    rows = tuple((item["name"], item["points"], f"{item['losing']} / {len(k.entities)}",
                  share_text(item["losing"], len(k.entities)), *(item["lowest"] or ("—", "—")))
                 for item in sorted(leaves.values(), key=lambda i: -i["losing"]))
    return Table(f"表{n.next_table()} {k.kind_label}各指标失分情况", ("指标", "分值", "失分对象数", "失分对象占比",
                                                                     "得分最低的对象", "最低得分"),
                 rows, (26, 10, 14, 14, 24, 12), align="lrrrlr")


def _kind_chapter(index: int, k: KindResults, n: _Numbers) -> Chapter:
    channels = k.scheme_info["channel_weights"]
    exact = [Fraction(e["score_exact"]) for e in k.entities]  # the results' exact score ("92.31" or "277/3")
    grades = _grade_counts(k)
    mean = format_score(sum(exact, Fraction(0)) / len(exact)) if exact else "—"
    spread = "、".join(f"{label} {count} 个" for label, _, count in grades)
    text = (f"{k.kind_label}共 {len(k.entities)} 个，平均综合得分 {mean} 分；评级{spread}。"
            f"结果状态：{k.status.label}；计分方案第 {k.scheme_info['version']} 版。")
    blocks: list = [Paragraph(text)]
    if 0 < len(k.entities) <= CHART_LIMIT:
        scores = [e["score"] for e in k.entities]
        blocks.append(BarChart(f"图{n.next_figure()} {k.kind_label}综合得分", tuple(e["name"] for e in k.entities),
                               (BarSeries("综合得分", tuple(number(s) for s in scores), tuple(scores), RED),),
                               maximum=100.0))
    else:
        blocks.append(BarChart(f"图{n.next_figure()} {k.kind_label}评级分布", tuple(g[0] for g in grades),
                               (BarSeries("个数", tuple(float(g[2]) for g in grades),
                                          tuple(str(g[2]) for g in grades), BLUE),),
                               maximum=float(max([g[2] for g in grades] + [1])), unit="个"))
    blocks.append(_league(k, channels, n))
    blocks.append(Table(f"表{n.next_table()} {k.kind_label}评级分布", ("等级", "分数段", "个数", "占比"),
                        tuple((label, band, str(count), share_text(count, len(k.entities)))
                              for label, band, count in grades), (14, 46, 18, 22), align="clrr"))
    blocks.append(_losses(k, n))
    return Chapter(chapter_heading(index, f"{k.kind_label}评价结果"), tuple(blocks), new_page=True)


def _questions(index: int, src: CitySource, n: _Numbers) -> Chapter:
    blocks: list = []
    for k in src.kinds:
        rates = {}
        for channel in {q.channel for q in k.questions}:
            mine = [q for q in k.questions if q.channel == channel]
            rates[channel] = format_percent(exact_satisfaction_index({q.question_id: q.counts for q in mine},
                                                                     {q.question_id: q.scale for q in mine}))
        tables = [t for _, t in question_tables(n.table + 1, k.questions, rates, f"全市{k.kind_label}")]
        n.table += len(tables)
        blocks += tables or [Paragraph(f"{k.kind_label}尚无有效答卷。", "note")]
    return Chapter(chapter_heading(index, "各题满意率（全市）"), tuple(blocks), new_page=True)


def _closing(index: int, src: CitySource) -> list[Chapter]:
    if src.suggestions:
        items = [Paragraph("以下为群众在问卷中填写的最新意见建议（原文照录，手机号码已隐去）：")]
        items += [Paragraph(f"{i}. {text}") for i, text in enumerate(src.suggestions, start=1)]
    else:
        items = [Paragraph("本期暂无群众填写的意见建议。")]
    method = []
    for k in src.kinds:
        info = k.scheme_info
        weights = "、".join(f"{w['label']} {w['weight']}" for w in info["channel_weights"])
        grades = "；".join(f"{g['label']} {g['min']} 分（含）以上" for g in info["grades"])
        method.append(Paragraph(f"{k.kind_label}：计分方案第 {info['version']} 版（{info['reason']}）；"
                                f"渠道权重 {weights}；{info['missing_channels']}；评级 {grades}。"
                                + (f"{info['min_sample']}。" if info.get("min_sample") else "")))
    method.append(Paragraph("满意率按 100%、80%、60%、30%、0% 加权，“不了解”不计入；"
                            "数值按精确值计算，仅显示时四舍五入保留两位小数。"))
    return [Chapter(chapter_heading(index, "群众意见建议"), tuple(items), new_page=True),
            Chapter(chapter_heading(index + 1, "计分说明"), tuple(method))]


def build_city_report(src: CitySource) -> Report:
    numbers = _Numbers()
    chapters = [_workload(src, numbers)]
    for k in src.kinds:
        chapters.append(_kind_chapter(len(chapters), k, numbers))
    chapters.append(_questions(len(chapters), src, numbers))
    chapters += _closing(len(chapters), src)
    c = src.campaign
    final = bool(src.kinds) and all(k.status.final for k in src.kinds)
    meta = (("评价范围", f"{src.city_name}各县（区）、市直单位"), ("评价活动", f"{c.title}（{c.round_label}）"),
            ("主办单位", c.organizer or "—"), ("调查时间", c.period.removeprefix("调查时间：")),
            ("数据截至", c.as_of or "—"),
            ("结果状态", "；".join(f"{k.kind_label}{k.status.label}" for k in src.kinds) or "—"),
            ("生成时间", c.generated_at))
    return Report(title=f"{src.city_name}{c.year}年度社会评价全市报告", subtitle=c.title, meta=meta,
                  chapters=tuple(chapters), watermark=None if final else DRAFT_WATERMARK,
                  filename=f"{src.city_name}-全市评价报告",
                  facts={"kinds": {k.kind: [e["name"] for e in k.entities] for k in src.kinds}})

