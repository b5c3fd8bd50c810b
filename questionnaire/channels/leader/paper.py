"""Double entry of paper leader forms (pure): which items the two entries disagree on, and the
answers to store once every disagreement is resolved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

FIRST_ENTERED = "first"      # waiting for the second clerk
TO_CHECK = "to_check"        # 待核对: some items differ
STORED = "stored"            # stored as a rating through the intake
DUPLICATE = "duplicate"      # the rater had already rated this ratee (online or on paper): not counted
STATUS_LABELS = {FIRST_ENTERED: "待第二遍录入", TO_CHECK: "待核对", STORED: "已计入", DUPLICATE: "重复（未计入）"}


def differences(first: Mapping[str, str], second: Mapping[str, str], items: Iterable[str]) -> dict[str, tuple]:
    """Items whose two entries differ: item -> (first value, second value)."""
    return {item: (first.get(item, ""), second.get(item, "")) for item in items
            if (first.get(item) or "") != (second.get(item) or "")}


def unresolved(first, second, resolved: Mapping[str, str], items: Iterable[str]) -> list[str]:
    return [item for item in differences(first, second, items) if item not in resolved]


def merged(first: Mapping[str, str], second: Mapping[str, str], resolved: Mapping[str, str],
           items: Iterable[str]) -> dict[str, str] | None:
    """The agreed answers with every disagreement resolved, or None while any is 待核对."""
    items = list(items)
    if unresolved(first, second, resolved, items):
        return None
    answers = {item: resolved.get(item, first.get(item, "")) for item in items}
    return {k: v for k, v in answers.items() if v != ""}
