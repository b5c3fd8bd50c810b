"""Five-level answer scales and their weights (seed 003: 100 / 80 / 60 / 30 / 0 %)."""

from __future__ import annotations

from dataclasses import dataclass

DONT_KNOW = "dk"


@dataclass(frozen=True)
class Level:
    value: str
    label: str
    weight: int | None  # percent; None = left out of the rate ("don't know")


def _scale(*labels: str, dont_know: str) -> tuple[Level, ...]:
    weights = (100, 80, 60, 30, 0)
    levels = tuple(Level(str(5 - i), label, w) for i, (label, w) in enumerate(zip(labels, weights, strict=True)))
    return levels + (Level(DONT_KNOW, dont_know, None),)


SCALES: dict[str, tuple[Level, ...]] = {
    "satisfaction": _scale("非常满意", "满意", "一般", "不满意", "非常不满意", dont_know="不了解"),
    "awareness": _scale("非常了解", "了解", "一般", "不太了解", "完全不了解", dont_know="说不清"),
    "recognition": _scale("非常认可", "认可", "一般", "不认可", "非常不认可", dont_know="不了解"),
}

WEIGHTS: dict[str, dict[str, int | None]] = {
    name: {level.value: level.weight for level in levels} for name, levels in SCALES.items()
}
