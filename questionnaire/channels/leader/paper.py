"""Double entry of paper leader forms (pure): which items the two entries disagree on, the agreed
answers stored at once, and which disagreements an admin has still to decide."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

FIRST_ENTERED = "first"      # waiting for the second clerk
TO_CHECK = "to_check"        # 待核对: some items differ; the agreed ones are stored and counted
STORED = "stored"            # stored as a rating through the intake, every item decided
DUPLICATE = "duplicate"      # the rater had already rated this ratee (online or on paper): not counted
STATUS_LABELS = {FIRST_ENTERED: "待第二遍录入", TO_CHECK: "待核对", STORED: "已计入", DUPLICATE: "重复（未计入）"}


def differences(first: Mapping[str, str], second: Mapping[str, str], items: Iterable[str]) -> dict[str, tuple]:
    """Items whose two entries differ: item -> (first value, second value)."""
    return {item: (first.get(item, ""), second.get(item, "")) for item in items
            if (first.get(item) or "") != (second.get(item) or "")}


def unresolved(first, second, resolved: Mapping[str, str], items: Iterable[str]) -> list[str]:
    return [item for item in differences(first, second, items) if item not in resolved]


def agreed(first: Mapping[str, str], second: Mapping[str, str], definition) -> dict[str, str]:
    """The answers both passes give (an item both left blank is unanswered)."""
    items = [q.id for q in definition.questions]
    differing = differences(first, second, items)
    return {item: first[item] for item in items if item not in differing and first.get(item, "") != ""}
