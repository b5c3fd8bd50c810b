"""The questionnaire editor's form <-> a questionnaire as a campaign file writes it (pure).

The page posts every question each time (no state on the server between clicks); a button
names what to do with the list: move a question up or down, delete it, add one of a type, show
the preview, save. What the form yields is checked by `campaigns.definition.parse_definition`,
the file import's own validation, so the editor and a file get the same messages.
A choice question's options are typed one per line; their stored values stay with their
position (so an edited label keeps its answers' value), and a new line gets the next number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from questionnaire.campaigns.definition import DEFAULT_TEXT_LIMIT, ID_PATTERN
from questionnaire.campaigns.scales import SCALES

TYPE_LABELS = {"rating": "评分题（五级满意度等）", "choice": "单选题", "text": "填空题（意见建议）"}
SCALE_LABELS = {"satisfaction": "满意度（非常满意……非常不满意）", "awareness": "知晓度", "recognition": "认可度"}
assert set(SCALE_LABELS) == set(SCALES), "every scale the definitions know is offered in the editor"
NEW_TITLES = {"rating": "您对……的满意程度", "choice": "请选择……", "text": "您对……有什么意见或建议？"}
MAX_QUESTIONS = 100
_OP = re.compile(r"^(up|down|delete):(\d+)$|^add:(rating|choice|text)$|^(save|preview)$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _int_or_text(raw: str) -> Any:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else raw


def _options(labels: list[str], values: list[str]) -> list[dict]:
    used = set(values[: len(labels)])
    options, next_value = [], 1
    for i, label in enumerate(labels):
        if i < len(values) and values[i]:
            value = values[i]
        else:
            while str(next_value) in used:
                next_value += 1
            value = str(next_value)
            used.add(value)
        options.append({"value": value, "label": label})
    return options


def _fresh_id(taken: set[str]) -> str:
    n = 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def questionnaire_from_form(form: Mapping[str, str]) -> dict:
    """The questionnaire the form stands for, written as a campaign file writes it."""
    try:
        count = min(int(form.get("count", "0")), MAX_QUESTIONS + 1)
    except ValueError:
        count = 0
    questions: list[dict] = []
    taken = {form.get(f"q-{i}-id", "") for i in range(count)}
    for i in range(count):
        qtype = form.get(f"q-{i}-type", "rating")
        qid = (form.get(f"q-{i}-id") or "").strip()
        if not qid:
            qid = _fresh_id(taken)
            taken.add(qid)
        q: dict[str, Any] = {"id": qid, "type": qtype, "title": form.get(f"q-{i}-title", ""),
                             "required": form.get(f"q-{i}-required") == "1"}
        section = (form.get(f"q-{i}-section") or "").strip()
        if section:
            q["section"] = section
        if qtype == "rating":
            q["scale"] = form.get(f"q-{i}-scale") or "satisfaction"
            q["allow_dont_know"] = form.get(f"q-{i}-dk") == "1"
        elif qtype == "choice":
            values = [v for v in (form.get(f"q-{i}-values") or "").split("\n")]
            q["options"] = _options(_lines(form.get(f"q-{i}-options", "")), [v.strip() for v in values])
        else:
            q["max_length"] = _int_or_text(form.get(f"q-{i}-max_length") or str(DEFAULT_TEXT_LIMIT))
        questions.append(q)
    out: dict[str, Any] = {"title": form.get("title", "")}
    if (form.get("intro") or "").strip():
        out["intro"] = form["intro"]  # a file leaves a blank intro out (the import refuses an empty one)
    out["questions"] = questions
    return out


def new_question(qtype: str, taken: set[str]) -> dict:
    q: dict[str, Any] = {"id": _fresh_id(taken), "type": qtype, "title": NEW_TITLES[qtype], "required": qtype != "text"}
    if qtype == "rating":
        q.update(scale="satisfaction", allow_dont_know=True)
    elif qtype == "choice":
        q["options"] = [{"value": "1", "label": "选项一"}, {"value": "2", "label": "选项二"}]
    else:
        q["max_length"] = DEFAULT_TEXT_LIMIT
    return q


def parse_op(raw: str) -> tuple[str, Any]:
    match = _OP.match(raw or "")
    if not match:
        return "preview", None
    if match.group(1):
        return match.group(1), int(match.group(2))
    if match.group(3):
        return "add", match.group(3)
    return match.group(4), None


def apply_op(questionnaire: dict, op: str, arg: Any) -> dict:
    """Move, delete or add a question; anything else leaves the list as it is."""
    questions = list(questionnaire["questions"])
    if op == "up" and 0 < arg < len(questions):
        questions[arg - 1], questions[arg] = questions[arg], questions[arg - 1]
    elif op == "down" and 0 <= arg < len(questions) - 1:
        questions[arg + 1], questions[arg] = questions[arg], questions[arg + 1]
    elif op == "delete" and 0 <= arg < len(questions):
        del questions[arg]
    elif op == "add" and len(questions) < MAX_QUESTIONS:
        questions.append(new_question(arg, {q.get("id", "") for q in questions}))
    return {**questionnaire, "questions": questions}


def form_rows(questionnaire: dict) -> list[dict]:
    """Each question as the editor's fields show it."""
    rows = []
    for q in questionnaire.get("questions", []):
        options = q.get("options") or []
        rows.append({
            "id": q.get("id", ""), "type": q.get("type", "rating"), "title": q.get("title", ""),
            "required": bool(q.get("required", q.get("type") != "text")), "section": q.get("section") or "",
            "scale": q.get("scale") or "satisfaction", "dk": q.get("allow_dont_know", True) is not False,
            "options": "\n".join(o["label"] for o in options if isinstance(o, Mapping)),
            "values": "\n".join(o["value"] for o in options if isinstance(o, Mapping)),
            "max_length": q.get("max_length") or DEFAULT_TEXT_LIMIT,
        })
    return rows


def valid_key(key: str) -> bool:
    return bool(ID_PATTERN.match(key or ""))

