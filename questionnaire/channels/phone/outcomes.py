"""Call outcome codes, their AAPOR classes, and what each does to a case (pure; after queXS).

Spec §4.5. `next_state` is the one retry rule: it takes the case's history and the campaign's
policy and says whether the case is final, when it may be served again, or that it waits for
an appointment. Calling hours are checked when a case is served (queue.py), so a retry due in
the midday break simply waits for the afternoon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from questionnaire.kernel.china_time import CHINA


@dataclass(frozen=True)
class Outcome:
    code: int
    label: str
    aapor: str  # I, P, R, NC, NE, O, or "" (appointment / quota)
    final: bool
    wait: timedelta | None = None  # earliest retry after a non-final outcome
    retries: int | None = None  # further calls allowed after this outcome (None: up to max attempts)


_M = timedelta(minutes=1)
OUTCOMES: dict[int, Outcome] = {o.code: o for o in (
    Outcome(11, "成功访问", "I", True),
    Outcome(12, "部分完成", "P", True),
    Outcome(21, "拒访（坚决）", "R", True),
    Outcome(22, "拒访（现在不方便）", "R", False, timedelta(days=7), retries=1),
    Outcome(23, "中途挂断", "R", False, timedelta(days=1), retries=1),
    Outcome(24, "预约再访", "", False),
    Outcome(31, "无人接听", "NC", False, 180 * _M),
    Outcome(32, "占线", "NC", False, 30 * _M),
    Outcome(33, "关机/无法接通", "NC", False, 180 * _M),
    Outcome(41, "空号", "NE", True),
    Outcome(42, "停机", "NE", True),
    Outcome(43, "号码错误/非本人/单位总机", "NE", True),
    Outcome(44, "否认反映过该诉求（12345回访）", "NE", True),  # flags the work order (channels/hotline)
    Outcome(51, "不符合条件", "NE", True),
    Outcome(61, "语言/听力障碍", "O", True),
    Outcome(69, "其他（督导处理）", "O", False),
    Outcome(71, "配额已满", "", True),
)}
COMPLETED = 11
APPOINTMENT = 24
OTHER = 69
BAD_NUMBER = frozenset({41, 42, 43})  # 有效号码率 leaves these out of "valid"
CLASS_LABELS = {"I": "成功", "P": "部分完成", "R": "拒访", "NC": "未接触", "NE": "无效号码/不符合", "O": "其他"}


@dataclass(frozen=True)
class PhonePolicy:
    """Per campaign, from `campaign.settings["phone"]` (all optional)."""

    calling_hours: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(14, 30), time(21, 0)))
    max_attempts: int = 3
    appointment_window: timedelta = timedelta(minutes=15)
    claim_timeout: timedelta = timedelta(minutes=60)  # a case left open this long is served again
    other_entity_gap: timedelta = timedelta(days=1)  # calls to one number about two entities
    max_completes_per_number: int = 2

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> PhonePolicy:
        phone = (settings or {}).get("phone") or {}
        values = {}
        hours = phone.get("calling_hours")
        if isinstance(hours, list) and hours:
            values["calling_hours"] = tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in hours)
        if isinstance(phone.get("max_attempts"), int) and phone["max_attempts"] > 0:
            values["max_attempts"] = phone["max_attempts"]
        return cls(**values)

    def in_calling_hours(self, now: datetime) -> bool:
        wall = now.astimezone(CHINA).time()
        return any(start <= wall < end for start, end in self.calling_hours)

    def hours_label(self) -> str:
        return "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in self.calling_hours)


@dataclass(frozen=True)
class NextState:
    status: str  # retry / appointment / hold / final
    next_call_at: datetime | None = None
    appointment_at: datetime | None = None
    final_class: str | None = None


class OutcomeError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def next_state(policy: PhonePolicy, code: int, now: datetime, previous_codes: Sequence[int],
               appointment_at: datetime | None = None) -> NextState:
    """The case after a call with outcome `code` (previous_codes: this case's earlier outcomes)."""
    outcome = OUTCOMES.get(code)
    if outcome is None:
        raise OutcomeError("未知的访问结果代码")
    if code == APPOINTMENT:
        if appointment_at is None or appointment_at <= now:
            raise OutcomeError("预约再访须填写一个将来的时间")
        return NextState("appointment", next_call_at=appointment_at - policy.appointment_window,
                         appointment_at=appointment_at)
    if outcome.final:
        return NextState("final", final_class=outcome.aapor)
    if code == OTHER:
        return NextState("hold")
    attempts = len(previous_codes) + 1
    same = sum(1 for c in previous_codes if c == code)
    used_up = attempts >= policy.max_attempts or (outcome.retries is not None and same >= outcome.retries)
    if used_up:
        return NextState("final", final_class=outcome.aapor)
    return NextState("retry", next_call_at=now + outcome.wait)
