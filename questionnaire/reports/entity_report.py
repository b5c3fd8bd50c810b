"""One county's or city unit's evaluation report, laid out like seed 003 (pure).

评价结论 with 图1 综合得分 and 表1 综合评价表 · 样本情况 (each channel's sample against plan, the
completion rate computed from the counts) · 调查问卷统计分析表 per channel · 绩效评价得分表 ·
问题清单 drafted from the indicators that lost points (the office edits it in Word) · 群众意见建议
· 绩效办录入数据 (rectification counts and other entered figures, when the scheme has them) ·
计分说明. Every figure is a display string of the results package; nothing is recomputed here
but the shares of each answer level, from the same counts the rates come from.
"""

from __future__ import annotations

from collections.abc import Mapping

from questionnaire.reports.model import (
    DRAFT_WATERMARK,
    GREY,
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
    vertical_spans,
)
from questionnaire.reports.sources import EntitySource
from questionnaire.reports.tables import question_tables, score_table
from questionnaire.results.inputs import WEIGHTED
from questionnaire.results.rules import AT_MOST, DEDUCT_PER_INCIDENT, RATIO_CAPPED, THRESHOLD, number_text
from questionnaire.results.tree import walk

PROBLEM_NOTE = "问题清单由系统根据未达目标、失分的指标自动起草，请结合实际核实、修改。"
SUGGESTION_INTRO = "以下为群众在问卷中填写的最新 {n} 条意见建议（原文照录，手机号码已隐去）："


def first_levels(entity: Mapping) -> list[Mapping]:
    return [row for row in entity["indicators"] if row["level"] == 1]


def _leaves_under(entity: Mapping, path: str) -> list[Mapping]:
    return [row for row in entity["indicators"] if row["leaf"] and (row["path"] == path
                                                                    or row["path"].startswith(path + " > "))]


def score_chart(entity: Mapping, caption: str = "图1 综合得分") -> BarChart:
    """The seeds' 图1: each first-level indicator's points and score."""
    levels = first_levels(entity)
    points = [row["points"] for row in levels]
    awarded = [row["awarded"] for row in levels]
    return BarChart(caption=caption, categories=tuple(row["name"] for row in levels), series=(
        BarSeries("分值", tuple(number(p) for p in points), tuple(points), GREY),
        BarSeries("得分", tuple(number(a) for a in awarded), tuple(awarded), RED),
    ), maximum=max([number(p) for p in points] + [1.0]))


def _value_phrase(row: Mapping, node) -> str:
    """A leaf's value as a sentence part: an entered count says what it counts (超期未办结工单数 3 次)."""
    value = row.get("value", "—")
    label = node.input.label if node is not None and node.input is not None else None
    return f"{label} {value}" if label and label != row["name"] else value


def _summary_table(entity: Mapping, nodes: Mapping) -> Table:
    """表1 综合评价表: first-level 分值 / 得分 / 评价, the 评价 listing each leaf's value and score."""
    rows = []
    for row in first_levels(entity):
        lines = [f"{i}.{leaf['name']} {_value_phrase(leaf, nodes.get(leaf['path']))}，得 {leaf['awarded']} 分"
                 f"（满分 {leaf['points']} 分）。"
                 for i, leaf in enumerate(_leaves_under(entity, row["path"]), start=1)]
        rows.append((row["name"], row["points"], row["awarded"], "\n".join(lines)))
    rows.append(("合计", "100.00", entity["score"], f"综合得分 {entity['score']} 分，评级为“{entity['grade']}”。"))
    return Table("表1 综合评价表", ("评价指标", "分值", "得分", "评价"), tuple(rows), (16, 10, 10, 64),
                 align="lrrl", bold_rows=frozenset({len(rows) - 1}))


def _conclusion(src: EntitySource) -> Chapter:
    e = src.entity
    levels = first_levels(e)
    text = (f"依据{src.kind_label}评价指标体系（计分方案第 {src.scheme_info['version']} 版）评分，{e['name']}"
            f"综合得分为 {e['score']} 分，评级为“{e['grade']}”，在 {e['of']} 个{src.kind_label}中{e['rank_label']}。")
    if len(levels) > 1:
        parts = "、".join(f"{row['name']} {row['awarded']} 分" for row in levels)
        text += f"{len(levels)} 项一级指标得分为：{parts}，各项指标评分情况见图1与表1。"
    blocks = [Paragraph(note, "note") for note in (src.status.note, *src.notes) if note]
    blocks.append(Paragraph(text))
    if e.get("year_score"):
        blocks.append(Paragraph(f"按轮次权重合并中期评议后的全年得分为 {e['year_score']} 分。"))
    blocks += [score_chart(e), _summary_table(e, {n.path: n for n in walk(src.scheme.tree)})]
    return Chapter(chapter_heading(0, "评价结论"), tuple(blocks))


def _samples(src: EntitySource) -> Chapter:
    e = src.entity
    rows, total = [], 0
    for ch in e["channels"]:
        n = ch["responses"]
        total += n
        plan = src.plan if ch["channel"] == "qr" else None
        rate = f"{ch['rate']}（样本不足）" if ch.get("short") else ch["rate"]
        rows.append((ch["label"], ch["weight"], ch["effective_weight"], count_text(plan), count_text(n),
                     completion_text(n, plan), rate, ch["points"]))
    table = Table("表2 各渠道样本量与计划", ("渠道", "权重", "实际权重", "计划样本量", "有效样本量", "完成率",
                                              "满意度指数", "加权得分"),
                  tuple(rows), (18, 10, 11, 12, 12, 11, 13, 11), align="lrrrrrrr",
                  note="有效样本不含被防刷规则标记的答卷；完成率 = 有效样本量 ÷ 计划样本量，由系统按计数计算。"
                       "缺少数据的渠道，其权重按计分方案处理（见“实际权重”）。")
    text = (f"本次评价{e['name']}共收集各渠道有效样本 {count_text(total)} 份，渠道加权满意率为 "
            f"{e['weighted_rate']}。各渠道样本量与计划见表2，各题满意率见表3起各表。")
    short = [f"{c['label']}{c['note']}" for c in e.get("short_channels", ())]
    if short:
        text += "其中" + "；".join(short) + "。"
    blocks = [Paragraph(text), table, *(t for _, t in _question_tables(src))]
    if not src.questions:
        blocks.append(Paragraph("尚无有效答卷，暂无各题统计。", "note"))
    return Chapter(chapter_heading(1, "样本情况与各题满意率"), tuple(blocks), new_page=True)


def _problem_text(row: Mapping, node) -> str:
    name, value, lost = row["name"], _value_phrase(row, node), row["lost"]
    if row.get("note") == "暂无数据":
        return f"{name}暂无数据（尚无有效样本或尚未录入），未得分，失 {lost} 分。"
    rule = node.rule
    if rule.type in (RATIO_CAPPED, THRESHOLD):
        sign = "≤" if rule.direction == AT_MOST else "≥"
        gap = "高于" if rule.direction == AT_MOST else "低于"
        return f"{name} {value}，{gap}目标 {sign}{number_text(rule.target)}%，失 {lost} 分。"
    if rule.type == DEDUCT_PER_INCIDENT:
        return f"{name}：{value}，扣 {lost} 分。"
    return f"{name}：{value}，失 {lost} 分。"


def problem_rows(src: EntitySource) -> list[tuple[str, str, str, str]]:
    """问题清单 drafted from the losses, largest first, grouped by first-level indicator like seed 003."""
    nodes = {n.path: n for n in walk(src.scheme.tree)}
    shown = {row["path"]: row for row in src.entity["indicators"]}
    drafted = []
    for loss in src.entity["losses"]:
        row = shown[loss["path"]]
        category = f"{loss['path'].split(' > ')[0]}方面的问题"
        drafted.append((category, _problem_text(row, nodes[loss["path"]])))
    order = {}
    for category, _ in drafted:
        order.setdefault(category, len(order))
    drafted.sort(key=lambda item: order[item[0]])
    rows, counter = [], {}
    for category, text in drafted:
        counter[category] = counter.get(category, 0) + 1
        rows.append((category, str(counter[category]), src.entity["name"], text))
    return rows or [("其他问题", "1", "-", "无失分指标。")]


def _problems(src: EntitySource) -> Chapter:
    rows = problem_rows(src)
    table = Table(f"表{4 + _question_table_count(src)} 问题清单",
                  ("问题分类", "序号", "责任单位", "问题描述"), tuple(rows), (20, 7, 20, 53), align="lcll",
                  spans=tuple(vertical_spans([r[0] for r in rows], 0)), note=PROBLEM_NOTE)
    return Chapter(chapter_heading(3, "存在的问题"), (table,), new_page=True)


def _question_tables(src: EntitySource) -> list[tuple[str, Table]]:
    rates = {ch["channel"]: ch["rate"] for ch in src.entity["channels"] if ch["rate"] != "—"}
    return question_tables(3, src.questions, rates, "")


def _question_table_count(src: EntitySource) -> int:
    return len({(q.channel, q.scale or "") for q in src.questions})


def _score_chapter(src: EntitySource) -> Chapter:
    e = src.entity
    sources: dict[str, str] = {WEIGHTED: "表2 各渠道样本量与计划"}
    for channel, table in reversed(_question_tables(src)):  # the first table of a channel names it
        sources[channel] = table.caption
    sources.update({f.key: f.source if f.fed else f"绩效办录入：{f.source}" for f in src.entered})
    table = score_table(f"表{3 + _question_table_count(src)} 绩效评价得分表", src.scheme, e["indicators"], e["score"],
                        {ch["channel"]: ch["responses"] for ch in e["channels"]},
                        {f.key: f.entered for f in src.entered}, sources)
    return Chapter(chapter_heading(2, "绩效评价得分表"), (table,), new_page=True)


def _suggestions(src: EntitySource) -> Chapter:
    if not src.suggestions:
        return Chapter(chapter_heading(4, "群众意见建议"), (Paragraph("本期暂无群众填写的意见建议。"),))
    blocks = [Paragraph(SUGGESTION_INTRO.format(n=len(src.suggestions)))]
    blocks += [Paragraph(f"{i}. {text}") for i, text in enumerate(src.suggestions, start=1)]
    return Chapter(chapter_heading(4, "群众意见建议"), tuple(blocks))


def _entered(src: EntitySource, index: int) -> Chapter | None:
    if not src.entered:
        return None
    rows = tuple((f.name, f.entered, f.value, f.source) for f in src.entered)
    number_ = 5 + _question_table_count(src)
    table = Table(f"表{number_} 绩效办录入数据（含意见建议整改情况）", ("指标", "录入数据", "计分值", "数据来源"), rows,
                  (26, 20, 14, 40), align="lrrl",
                  note="有计数的比率按计数计算（如按时整改数 ÷ 交办数），不录入现成的百分比。")
    return Chapter(chapter_heading(index, "整改落实与录入数据"), (table,))


def _method(src: EntitySource, index: int) -> Chapter:
    info = src.scheme_info
    weights = "、".join(f"{w['label']} {w['weight']}" for w in info["channel_weights"])
    grades = "；".join(f"{g['label']}：{g['min']} 分（含）以上" for g in info["grades"])
    lines = [
        f"计分方案：{src.kind_label}计分方案第 {info['version']} 版（{info['reason']}，{info['created_at']}）。",
        f"渠道权重：{weights}；{info['missing_channels']}。",
        *([f"{info['min_sample']}。"] if info.get("min_sample") else []),
        "满意率：各等级权重为 100%、80%、60%、30%、0%，“不了解”不计入；渠道满意度指数为该渠道各评分题满意率的平均。",
        "指标得分：按各指标计分规则计算，如 得分 = min(实际值 ÷ 目标值, 1) × 分值；上级指标得分为下级得分之和。",
        f"评级：{grades}；评级按保留两位小数后的综合得分确定。",
        "数值均按精确值计算，仅在显示时四舍五入：比率保留两位小数，得分保留两位小数。",
        f"轮次：{info['rounds']}。",
    ]
    return Chapter(chapter_heading(index, "计分说明"), tuple(Paragraph(line) for line in lines))


def build_entity_report(src: EntitySource) -> Report:
    e = src.entity
    chapters = [_conclusion(src), _samples(src), _score_chapter(src),
                _problems(src), _suggestions(src)]
    entered = _entered(src, len(chapters))
    if entered is not None:
        chapters.append(entered)
    chapters.append(_method(src, len(chapters)))
    c = src.campaign
    meta = (("评价对象", f"{e['name']}（{src.kind_label}）"), ("评价活动", f"{c.title}（{c.round_label}）"),
            ("主办单位", c.organizer or "—"), ("调查时间", c.period.removeprefix("调查时间：")),
            ("数据截至", c.as_of or "—"), ("结果状态", src.status.label), ("生成时间", c.generated_at))
    return Report(
        title=f"{e['name']}{c.year}年度社会评价报告", subtitle=c.title, meta=meta, chapters=tuple(chapters),
        watermark=None if src.status.final else DRAFT_WATERMARK, filename=f"{e['code']}-{e['name']}-评价报告",
        facts={"name": e["name"], "score": e["score"], "grade": e["grade"], "rank": e["rank_label"],
               "exact_score": exact_number(e["score"])})
