"""Collects what the fuzz run did, for the terminal summary (tests/fuzz/conftest.py)."""

from __future__ import annotations

from collections import Counter

RUNS: list[tuple[str, str, int, Counter]] = []


def record(backend: str, operation: str, examples: int, statuses: Counter) -> None:
    RUNS.append((backend, operation, examples, Counter(statuses)))


def lines() -> list[str]:
    out = []
    for backend in sorted({r[0] for r in RUNS}):
        runs = [r for r in RUNS if r[0] == backend]
        total = Counter()
        for _, _, _, statuses in runs:
            total.update(statuses)
        out.append(f"[{backend}] {len(runs)} operations, {sum(r[2] for r in runs)} requests, "
                   f"statuses {dict(sorted(total.items()))}")
        for _, operation, examples, statuses in runs:
            out.append(f"  {operation}: {examples} requests, {dict(sorted(statuses.items()))}")
    return out
