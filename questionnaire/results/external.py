"""Figures the office enters for one entity (external indicators), as stored and as scored (pure).

A rate is entered from its counts whenever it has counts (541 of 625 items closed on time, the
rate is computed: never a typed 86.6 %); a typed rate is for figures another body publishes
only as a rate (a 12345 assessment score converted to percent, say). Every figure has a source.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from questionnaire.kernel.numbers import NotANumber, as_text, exact, percent
from questionnaire.results.rules import COUNT, ITEMS, RATE

SOURCE_LIMIT = 500


class ExternalValueError(ValueError):
    pass


def parse_figure(value_kind: str, form: Mapping[str, Any]) -> dict:
    """The stored JSON of a figure from form fields (numerator/denominator, rate, count, met)."""
    if value_kind == RATE:
        numerator, denominator = str(form.get("numerator") or "").strip(), str(form.get("denominator") or "").strip()
        if numerator or denominator:
            try:
                num, den = exact(numerator), exact(denominator)
            except NotANumber:
                raise ExternalValueError("分子和分母必须都是数字") from None
            if den <= 0 or num < 0 or num > den:
                raise ExternalValueError("分母必须大于 0，分子在 0 与分母之间")
            return {"numerator": as_text(num), "denominator": as_text(den)}
        rate = str(form.get("rate") or "").strip().rstrip("%")
        try:
            value = exact(rate)
        except NotANumber:
            raise ExternalValueError("请填写分子和分母（有计数时必须按计数计算），或填写百分比") from None
        if not 0 <= value <= 1000:
            raise ExternalValueError("百分比必须在 0 到 1000 之间")
        return {"rate": as_text(value)}
    if value_kind == COUNT:
        raw = str(form.get("count") or "").strip()
        if not raw.isdigit():
            raise ExternalValueError("次数必须是非负整数")
        return {"count": int(raw)}
    if value_kind == ITEMS:
        met = form.get("met") or []
        return {"met": sorted({str(m) for m in met})}
    raise ExternalValueError("该指标不需要录入")


def parse_source(raw: Any) -> str:
    source = str(raw or "").strip()
    if not source:
        raise ExternalValueError("必须注明数据来源（文件名称、文号或系统）")
    if len(source) > SOURCE_LIMIT:
        raise ExternalValueError(f"数据来源不能超过 {SOURCE_LIMIT} 字")
    return source


def figure_value(stored: Mapping[str, Any]) -> Fraction | int | frozenset[str]:
    """The value a rule scores: a rate in percent (computed from counts when it has them), a count, or items."""
    if "numerator" in stored:
        return percent(stored["numerator"], stored["denominator"])
    if "rate" in stored:
        return exact(stored["rate"])
    if "count" in stored:
        return int(stored["count"])
    return frozenset(stored.get("met", ()))


def describe_figure(stored: Mapping[str, Any]) -> str:
    if "numerator" in stored:
        return f"{stored['numerator']} / {stored['denominator']}"
    if "rate" in stored:
        return f"{stored['rate']}%"
    if "count" in stored:
        return f"{stored['count']} 次"
    return "达成：" + ("、".join(stored.get("met", ())) or "无")
