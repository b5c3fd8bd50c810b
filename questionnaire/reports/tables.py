"""The seeds' tables, shared by the entity and the city-wide report (pure).

* 调查问卷及统计分析表 (seed 003 附件1): % per level and the computed rate (计算值) per question;
* 绩效评价得分表 (seed 003 附件2): 一级 / 二级 / 三级 indicators with 指标解释, 评价标准, 分值,
  得分, 依据 and 依据来源, first- and second-level cells merged over their rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby

from questionnaire.campaigns.scoring import rate_points
from questionnaire.intake.channels import CHANNELS
from questionnaire.kernel.numbers import format_percent
from questionnaire.reports.model import Table, count_text, exact_number, share_text, vertical_spans
from questionnaire.reports.sources import QuestionCounts
from questionnaire.results.inputs import CHANNEL, QUESTION, WEIGHTED
from questionnaire.results.rules import number_text
from questionnaire.results.scheme import Scheme
from questionnaire.results.tree import Node, walk

LEVEL_NOTE = ("各等级占比按给出等级的有效样本计算（“不了解”不计入），计算值 = Σ 各等级占比 × 权重"
              "（100%、80%、60%、30%、0%），与评价结果所用满意率为同一计算。")


def question_tables(number: int, questions: Sequence[QuestionCounts], channel_rates: Mapping[str, str],
                    scope_label: str) -> list[tuple[str, Table]]:
    """(channel, table): one per channel and scale, numbered from 表`number`; the channel's index closes it."""
    tables: list[tuple[str, Table]] = []

    def group_key(iq):
        return CHANNELS.index(iq[1].channel), iq[1].scale or ""

    keyed = sorted(enumerate(questions), key=lambda iq: (*group_key(iq), iq[0]))
    for (_, _scale), group in groupby(keyed, key=group_key):
        items = [q for _, q in group]
        channel = items[0].channel
        levels = items[0].levels
        rated_levels = [lv for lv in levels if lv.weight is not None]
        unrated = next((lv for lv in levels if lv.weight is None), None)
        header = ("序号", "问题", *(lv.label for lv in rated_levels),
                  f"{unrated.label}（人）" if unrated else "未评价（人）", "有效样本", "计算值")
        rows = []
        for i, q in enumerate(items, start=1):
            _, rated = rate_points(q.counts, q.scale)
            shares = [share_text(q.counts.get(lv.value, 0), rated) for lv in rated_levels]
            skipped = sum(n for value, n in q.counts.items() if value not in {lv.value for lv in rated_levels})
            rows.append((str(i), q.title, *shares, count_text(skipped), count_text(rated), format_percent(q.rate)))
        bold = frozenset()
        if channel in channel_rates:
            rows.append(("", f"{items[0].channel_label}满意度指数（各题满意率的平均）", *([""] * len(rated_levels)),
                         "", "", channel_rates[channel]))
            bold = frozenset({len(rows) - 1})
        tables.append((channel, Table(
            caption=f"表{number + len(tables)} {scope_label}{items[0].channel_label}调查问卷统计分析表",
            header=header, rows=tuple(rows), widths=(6, 33, *([10] * len(rated_levels)), 10, 10, 11),
            align="cl" + "r" * (len(header) - 2), bold_rows=bold, note="" if tables else LEVEL_NOTE)))
    return tables


def _leaf_basis(node: Node, row: Mapping, counts: Mapping[str, int], entered: Mapping[str, str]) -> str:
    """依据: the value scored and what it rests on (the channel's n, the office's counts)."""
    if row.get("note") and row.get("value") in (None, "", row.get("note")):
        return row["note"]
    value = row.get("value", "—")
    source = node.input
    if source is None:
        return value
    if source.kind in (CHANNEL, QUESTION):
        return f"{value}（有效样本 {count_text(counts.get(source.channel, 0))} 份）"
    if source.kind == WEIGHTED:
        return f"{value}（各渠道有效样本共 {count_text(sum(counts.values()))} 份）"
    label = f"{source.label}：" if source.label and source.label != node.name else ""
    figure = entered.get(source.key)
    return f"{label}{value}（{figure}）" if figure and figure != value else f"{label}{value}"


def _evidence(node: Node, row: Mapping, sources: Mapping[str, str]) -> str:
    """依据来源: the office's text, else the table the figure is read from or the entered figure's source."""
    if node.texts.get("evidence_source"):
        return node.texts["evidence_source"]
    source = node.input
    if source is None:
        return "—"
    if source.kind in (CHANNEL, QUESTION):
        return sources.get(source.channel, row.get("source", ""))
    if source.kind == WEIGHTED:
        return sources.get(WEIGHTED, row.get("source", ""))
    return sources.get(source.key, "绩效办录入")


def score_table(caption: str, scheme: Scheme, indicators: Sequence[Mapping], total: str,
                channel_counts: Mapping[str, int], entered: Mapping[str, str],
                sources: Mapping[str, str]) -> Table:
    """绩效评价得分表 of one entity: a row per leaf indicator, its ancestors in the level columns.

    `entered` maps an external key to the figure as entered ("541 / 625"), `sources` a channel,
    `weighted_channels` or an external key to where its figure is shown or came from.
    """
    nodes = {n.path: n for n in walk(scheme.tree)}
    shown = {row["path"]: row for row in indicators}
    depth = max((row["level"] for row in indicators if row["leaf"]), default=1)
    rows = []
    for row in indicators:
        if not row["leaf"]:
            continue
        node = nodes[row["path"]]
        names = row["path"].split(" > ")
        levels = []
        for level in range(depth):
            ancestor = shown.get(" > ".join(names[:level + 1])) if level < len(names) else None
            levels.append(f"{ancestor['name']}（{number_text(exact_number(ancestor['points']))}）" if ancestor else "")
        rows.append((*levels, node.texts.get("explanation") or row.get("source", ""),
                     node.texts.get("criteria") or row.get("rule", ""), row["points"], row["awarded"],
                     _leaf_basis(node, row, channel_counts, entered), _evidence(node, row, sources)))
    rows.append(("合计", *([""] * (depth - 1)), "", "", "100.00", total, "", ""))
    spans = vertical_spans([r[0] for r in rows[:-1]], 0)
    if depth == 3:
        spans += vertical_spans([f"{r[0]}/{r[1]}" if r[1] else "" for r in rows[:-1]], 1)
    header = ("一级指标", "二级指标", "三级指标")[:depth] + ("指标解释", "评价标准", "分值", "得分", "依据", "依据来源")
    widths = (11, 12, 12)[:depth] + (18, 21, 8, 8, 18, 16)
    return Table(caption=caption, header=header, rows=tuple(rows), widths=widths,
                 align="l" * (depth + 2) + "rrll", spans=tuple(spans), bold_rows=frozenset({len(rows) - 1}))
