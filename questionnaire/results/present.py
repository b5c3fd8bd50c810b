"""Results as the page and its JSON show them: every figure rounded half-up once, here.

Rates are shown in percent with two decimals, scores with two decimals (kernel/numbers.py);
the JSON carries the same display strings as the page, so both read the same.
"""

from __future__ import annotations

from fractions import Fraction

from questionnaire.intake.channels import CHANNEL_LABELS
from questionnaire.kernel.china_time import format_china_time
from questionnaire.kernel.numbers import as_text, format_percent, format_score
from questionnaire.results.engine import NodeScore
from questionnaire.results.external import describe_figure
from questionnaire.results.grades import bounds_to_data
from questionnaire.results.inputs import EXTERNAL, QUESTION
from questionnaire.results.rounds import describe_rounds
from questionnaire.results.rules import COUNT, ITEMS, RULE_LABELS
from questionnaire.results.samples import DROP, SHORT_LABEL
from questionnaire.results.scheme import KIND_LABELS, Scheme
from questionnaire.results.standings import Standing, Standings
from questionnaire.results.weights import REDISTRIBUTE


def rank_label(rank: int, tied: bool) -> str:
    return f"并列第 {rank} 名" if tied else f"第 {rank} 名"


def _value_text(item: NodeScore) -> str:
    if item.value is None:
        return item.note or "—"
    kind = item.node.input.value_kind if item.node.input else None
    if kind == COUNT:
        return f"{item.value} 次"
    if kind == ITEMS:
        return "达成：" + ("、".join(sorted(item.value)) or "无")
    return format_percent(Fraction(item.value))


def _source(node, titles: dict[str, str]) -> str:
    if node.input is None:
        return "不适用"
    if node.input.kind == QUESTION:
        return f"{CHANNEL_LABELS[node.input.channel]}「{titles.get(node.input.question, node.input.question)}」满意率"
    return node.input.describe()


def _indicators(items: tuple[NodeScore, ...], externals_raw: dict, titles: dict[str, str]) -> list[dict]:
    rows = []
    for item in items:
        node = item.node
        row = {
            "path": node.path, "name": node.name, "level": node.level, "level_label": node.level_label,
            "leaf": node.is_leaf, "points": format_score(item.points), "awarded": format_score(item.awarded),
            "lost": format_score(item.lost), "note": item.note,
        }
        if node.is_leaf:
            row["rule"] = node.rule.describe()
            row["rule_type"] = RULE_LABELS[node.rule.type]
            row["source"] = _source(node, titles)
            row["value"] = _value_text(item)
            if node.input is not None and node.input.kind == EXTERNAL:
                row["external_key"] = node.input.key
                entered = externals_raw.get(node.input.key)
                row["entered"] = describe_figure(entered.value) if entered else ""
                row["entered_source"] = entered.source if entered else ""
        rows.append(row)
        rows.extend(_indicators(item.children, externals_raw, titles))
    return rows


def sample_note(channel: str, score, scheme: Scheme) -> str:
    """样本不足（不足 10 份，仍计分）, or "" when the channel has its minimum sample."""
    if channel not in score.short_channels:
        return ""
    used = "未计分" if channel in score.dropped_channels else "仍计分"
    return f"{SHORT_LABEL}（不足 {scheme.min_sample[channel]} 份，{used}）"


def entity(standing: Standing, count: int, titles: dict[str, str], externals_raw: dict | None = None, *,
           scheme: Scheme) -> dict:
    score = standing.score
    return {
        "unit_id": standing.entity.id, "code": standing.entity.code, "name": standing.entity.name,
        "score": format_score(score.total), "grade": score.grade,
        "score_exact": as_text(score.total),  # kept in published copies: a later round blends the exact score
        "year_score": format_score(standing.year_score) if standing.year_score is not None else None,
        "rank": standing.rank, "tied": standing.tied, "rank_label": rank_label(standing.rank, standing.tied),
        "of": count,
        "weighted_rate": format_percent(score.composite),
        "channels": [{
            "channel": part.channel, "label": CHANNEL_LABELS[part.channel],
            "weight": format_percent(part.weight), "effective_weight": format_percent(part.effective_weight),
            "responses": standing.inputs.channel_counts.get(part.channel, 0), "rate": format_percent(part.rate),
            "points": format_score(part.points), "lost": format_score(part.lost),
            "short": part.channel in score.short_channels,
            "sample_note": sample_note(part.channel, score, scheme),
        } for part in score.channels],
        "short_channels": [{"channel": c, "label": CHANNEL_LABELS[c], "note": sample_note(c, score, scheme)}
                           for c in sorted(score.short_channels)],
        "indicators": _indicators(score.nodes, externals_raw or {}, titles),
        "losses": [{"path": s.node.path, "name": s.node.name, "lost": format_score(s.lost), "note": s.note}
                   for s in score.losses()],
    }


def scheme_info(row, scheme: Scheme) -> dict:
    return {
        "kind": scheme.kind, "kind_label": KIND_LABELS[scheme.kind], "version": row.version, "reason": row.reason,
        "created_at": format_china_time(row.created_at, "%Y-%m-%d %H:%M"),
        "channel_weights": [{"channel": c, "label": CHANNEL_LABELS[c], "weight": format_percent(w)}
                            for c, w in scheme.channel_weights.items()],
        "missing_channels": ("缺少数据的渠道，其权重按比例分给有数据的渠道" if scheme.missing_channels == REDISTRIBUTE
                             else "缺少数据的渠道按 0 分计"),
        "grades": bounds_to_data(scheme.grades),
        "rounds": describe_rounds(scheme.rounds),
        "min_sample": describe_min_sample(scheme),
    }


def describe_min_sample(scheme: Scheme) -> str:
    if not scheme.min_sample:
        return "未设最低样本量"
    minimums = "、".join(f"{CHANNEL_LABELS[c]} {n} 份" for c, n in scheme.min_sample.items())
    policy = "按缺少数据的渠道处理（不计分）" if scheme.below_min_sample == DROP else "仍计分"
    return f"最低样本量：{minimums}；低于最低样本量的渠道标记“{SHORT_LABEL}”，{policy}"


def standings(data: Standings, visible: set[int] | None = None) -> dict:
    """The kind's scheme and its entities (only `visible` ones when the account sees only its own)."""
    count = len(data.rows)
    return {
        "scheme": scheme_info(data.scheme_row, data.scheme),
        "as_of": as_of_label(data),
        "year_note": data.year_note,
        "entities": [entity(s, count, data.question_titles, scheme=data.scheme) for s in data.rows
                     if visible is None or s.entity.id in visible],
    }


def as_of_label(data: Standings) -> str:
    """When the tallies behind the standings were last known complete (China time)."""
    return format_china_time(data.as_of, "%Y-%m-%d %H:%M:%S") if data.as_of else ""
