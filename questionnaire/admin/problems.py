"""Validation messages as the office reads them (pure).

The browser forms are checked by the same functions as the campaign file import, whose
messages start with a path (`campaign.opens_at: ...`, `questionnaire.questions[2].title: ...`).
Here the path becomes the form's own words ("开始时间", "第 3 题 · 题目"); the message after it is
the import's, unchanged.
"""

from __future__ import annotations

import re

CAMPAIGN_FIELDS = {
    "slug": "活动标识", "title": "活动名称", "year": "年度", "round": "评议轮次", "target_responses": "目标答卷数",
    "opens_at": "开始时间", "closes_at": "结束时间", "answer_scope": "答卷次数规则", "organizer": "主办单位",
    "hotline": "咨询电话", "settings": "其他设置",
}
QUESTION_FIELDS = {
    "id": "题目标识", "type": "题型", "title": "题目", "required": "是否必答", "options": "选项", "scale": "量表",
    "allow_dont_know": "“不了解”选项", "max_length": "字数上限", "section": "分组标题",
}
QUESTIONNAIRE_FIELDS = {"title": "问卷标题", "intro": "问卷说明", "questions": "题目"}
_QUESTION = re.compile(r"^questionnaire\.questions\[(\d+)\](?:\.options\[(\d+)\])?(?:\.(\w+))?$")


def _campaign_label(path: str) -> str | None:
    if path == "campaign":
        return "活动信息"
    if path.startswith("campaign."):
        return CAMPAIGN_FIELDS.get(path.split(".", 1)[1], path)
    return None


def _questionnaire_label(path: str) -> str | None:
    match = _QUESTION.match(path)
    if match:
        number, option, field = match.groups()
        label = f"第 {int(number) + 1} 题"
        if option is not None:
            label += f" · 第 {int(option) + 1} 个选项"
        if field:
            label += f" · {QUESTION_FIELDS.get(field, field)}"
        return label
    if path == "questionnaire":
        return "问卷"
    if path.startswith("questionnaire."):
        return QUESTIONNAIRE_FIELDS.get(path.split(".", 1)[1], path)
    return None


def readable(problem: str) -> str:
    """'campaign.closes_at: 必须晚于 opens_at' -> '结束时间：必须晚于 opens_at'."""
    path, sep, message = problem.partition(": ")
    if not sep:
        return problem
    label = _campaign_label(path) or _questionnaire_label(path)
    return f"{label}：{message}" if label else problem


def readable_all(problems: list[str]) -> list[str]:
    return [readable(p) for p in problems]
