"""Questionnaire definitions: parse the office's file format and validate answers against it.

A definition is plain data (what the YAML/JSON import file holds and what the
database stores); `parse_definition` turns it into frozen objects or raises
DefinitionError listing every problem with its path.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from questionnaire.campaigns.scales import DONT_KNOW, SCALES

QUESTION_TYPES = ("rating", "choice", "text")
TALLIED_TYPES = ("rating", "choice")  # free text is read, not counted
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
DEFAULT_TEXT_LIMIT = 500
# Characters no phone keyboard types: C0 controls except tab/newline, DEL, lone UTF-16
# surrogates (valid in a JSON string, but not UTF-8) and U+FFFD, the replacement character that
# bytes which were not UTF-8 become when a form body is decoded (kernel.web.form_data). PostgreSQL's
# JSONB refuses NUL and surrogates, so letting them through turned a fuzzed text answer into a 500.
UNTYPEABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffd]")


class DefinitionError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class AnswerError(ValueError):
    """Answers do not fit the questionnaire. `fields` maps question id -> Chinese message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(json.dumps(fields, ensure_ascii=False))
        self.fields = fields


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    title: str
    required: bool
    options: tuple[Option, ...] = ()
    scale: str | None = None
    allow_dont_know: bool = True
    max_length: int = DEFAULT_TEXT_LIMIT
    section: str | None = None

    @property
    def option_values(self) -> frozenset[str]:
        return frozenset(o.value for o in self.options)

    @property
    def is_tallied(self) -> bool:
        """Its answers get option counts in the tally tables."""
        return self.type in TALLIED_TYPES


@dataclass(frozen=True)
class Definition:
    title: str
    intro: str
    questions: tuple[Question, ...]
    by_id: Mapping[str, Question] = field(repr=False, compare=False, default_factory=dict)

    def rating_questions(self) -> list[Question]:
        return [q for q in self.questions if q.type == "rating"]

    def tallied_questions(self) -> list[Question]:
        return [q for q in self.questions if q.is_tallied]


def _text(raw: Any, path: str, problems: list[str], *, required: bool = True, limit: int = 500) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str) or not raw.strip():
        problems.append(f"{path}: 必须是非空文本")
        return ""
    if len(raw) > limit:
        problems.append(f"{path}: 文本过长（最多 {limit} 字）")
    return raw.strip()


def _parse_question(raw: Any, path: str, problems: list[str]) -> Question | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{path}: 必须是一个对象")
        return None
    unknown = set(raw) - {"id", "type", "title", "required", "options", "scale",
                          "allow_dont_know", "max_length", "section"}
    if unknown:
        problems.append(f"{path}: 未知字段 {', '.join(sorted(unknown))}")
    qid = raw.get("id")
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        problems.append(f"{path}.id: 必须是小写字母开头的标识（a-z0-9_，最多32位），实际为 {qid!r}")
        qid = "?"
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        problems.append(f"{path}.type: 必须是 {'/'.join(QUESTION_TYPES)} 之一，实际为 {qtype!r}")
        return None
    title = _text(raw.get("title"), f"{path}.title", problems)
    required = raw.get("required", qtype != "text")
    if not isinstance(required, bool):
        problems.append(f"{path}.required: 必须是 true 或 false")
        required = True
    section = raw.get("section")
    if section is not None and not isinstance(section, str):
        problems.append(f"{path}.section: 必须是文本")
        section = None

    if qtype == "rating":
        scale = raw.get("scale", "satisfaction")
        if scale not in SCALES:
            problems.append(f"{path}.scale: 必须是 {'/'.join(SCALES)} 之一，实际为 {scale!r}")
            return None
        allow_dk = raw.get("allow_dont_know", True)
        if not isinstance(allow_dk, bool):
            problems.append(f"{path}.allow_dont_know: 必须是 true 或 false")
            allow_dk = True
        options = tuple(
            Option(level.value, level.label) for level in SCALES[scale]
            if allow_dk or level.value != DONT_KNOW
        )
        return Question(qid, qtype, title, required, options, scale=scale,
                        allow_dont_know=allow_dk, section=section)

    if qtype == "choice":
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            problems.append(f"{path}.options: 单选题至少需要两个选项")
            return None
        options = []
        for j, opt in enumerate(raw_options):
            opath = f"{path}.options[{j}]"
            if isinstance(opt, str):
                opt = {"value": str(j + 1), "label": opt}
            if not isinstance(opt, Mapping):
                problems.append(f"{opath}: 必须是文本或 {{value, label}}")
                continue
            value, label = opt.get("value"), opt.get("label")
            if not isinstance(value, str) or not value or len(value) > 32:
                problems.append(f"{opath}.value: 必须是非空文本（最多32字符）")
                continue
            options.append(Option(value, _text(label, f"{opath}.label", problems)))
        values = [o.value for o in options]
        if len(values) != len(set(values)):
            problems.append(f"{path}.options: 选项值重复")
        return Question(qid, qtype, title, required, tuple(options), section=section)

    max_length = raw.get("max_length", DEFAULT_TEXT_LIMIT)
    if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= 2000:
        problems.append(f"{path}.max_length: 必须是 1 到 2000 之间的整数")
        max_length = DEFAULT_TEXT_LIMIT
    return Question(qid, qtype, title, required, max_length=max_length, section=section)


def parse_definition(raw: Any, path: str = "questionnaire") -> Definition:
    """Validate a questionnaire definition; raise DefinitionError with every problem found."""
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        raise DefinitionError([f"{path}: 必须是一个对象"])
    title = _text(raw.get("title"), f"{path}.title", problems)
    intro = _text(raw.get("intro"), f"{path}.intro", problems, required=False, limit=2000)
    raw_questions = raw.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append(f"{path}.questions: 至少需要一道题")
    else:
        for i, rq in enumerate(raw_questions):
            q = _parse_question(rq, f"{path}.questions[{i}]", problems)
            if q is not None:
                questions.append(q)
        ids = [q.id for q in questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"{path}.questions: 题目标识重复：{', '.join(dupes)}")
        if len(questions) > 100:
            problems.append(f"{path}.questions: 题目过多（最多100道）")
    if problems:
        raise DefinitionError(problems)
    return Definition(title, intro, tuple(questions), {q.id: q for q in questions})


def definition_to_data(defn: Definition) -> dict:
    """The normalised form stored in the database (options expanded, defaults explicit)."""
    return {
        "title": defn.title,
        "intro": defn.intro,
        "questions": [
            {
                "id": q.id, "type": q.type, "title": q.title, "required": q.required,
                "section": q.section, "scale": q.scale, "allow_dont_know": q.allow_dont_know,
                "max_length": q.max_length if q.type == "text" else None,
                "options": [{"value": o.value, "label": o.label} for o in q.options],
            }
            for q in defn.questions
        ],
    }


def definition_from_data(data: Mapping) -> Definition:
    """Rebuild a Definition from its stored normalised form (trusted, already validated)."""
    questions = tuple(
        Question(
            id=q["id"], type=q["type"], title=q["title"], required=q["required"],
            options=tuple(Option(o["value"], o["label"]) for o in q.get("options", [])),
            scale=q.get("scale"), allow_dont_know=q.get("allow_dont_know", True),
            max_length=q.get("max_length") or DEFAULT_TEXT_LIMIT, section=q.get("section"),
        )
        for q in data["questions"]
    )
    return Definition(data["title"], data.get("intro", ""), questions, {q.id: q for q in questions})


def validate_answers(defn: Definition, answers: Any, held: frozenset[str] = frozenset()) -> dict[str, str]:
    """Check a submitted answer map; return the normalised answers or raise AnswerError.

    Nothing is coerced silently: an unknown question, a wrong option, a missing
    required answer or an over-long text each name their field. `held` names required
    questions whose answer is still being checked (a paper double entry's 待核对 items): they
    may be absent now and are completed later (tallies.completion).
    """
    if not isinstance(answers, Mapping):
        raise AnswerError({"answers": "答案必须是以题目标识为键的对象"})
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for key in answers:
        if not isinstance(key, str) or key not in defn.by_id:
            errors[str(key)[:40]] = "未知题目"
    for q in defn.questions:
        value = answers.get(q.id)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if q.required and q.id not in held:
                errors[q.id] = "此题为必答题"
            continue
        if not isinstance(value, str):
            errors[q.id] = "答案必须是文本"
            continue
        if q.type == "text":
            if len(value) > q.max_length:
                errors[q.id] = f"内容过长（最多 {q.max_length} 字）"
                continue
            if UNTYPEABLE.search(value):
                errors[q.id] = "内容包含无法识别的字符，请删除后重新提交"
                continue
        elif value not in q.option_values:
            errors[q.id] = "不是有效选项"
            continue
        clean[q.id] = value
    if errors:
        raise AnswerError(errors)
    return clean


def answers_digest(answers: Mapping[str, str]) -> str:
    """Stable fingerprint of normalised answers, to tell a retry from a changed replay."""
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
