"""Allocation and the stratified, reproducible draw (pure).

Reproducible: every random choice comes from a `random.Random` seeded with the recorded seed
and the entity id, and the candidates are put in a fixed order first (by their keyed HMAC, not
by database row order), so drawing twice, or after a frame was re-uploaded unchanged, gives
identical lists. Within an entity, numbers are distinct by construction (a frame keeps each
number once), so no number is drawn twice for one entity.

Stratified: an entity's allocation is split over its 样本类型 strata in proportion to their
size (largest remainder), then each stratum is a simple random sample without replacement.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ALLOCATION_MODES = ("proportional", "equal")


@dataclass(frozen=True)
class Candidate:
    number_id: int
    phone_hmac: str
    stratum: str


def largest_remainder(total: int, weights: Mapping, caps: Mapping | None = None) -> dict:
    """Split `total` in proportion to `weights` (ties broken by key order); never above a cap."""
    keys = sorted(weights, key=repr)
    weight_sum = sum(weights[k] for k in keys)
    if total <= 0 or weight_sum <= 0:
        return {k: 0 for k in keys}
    exact = {k: total * weights[k] / weight_sum for k in keys}
    shares = {k: int(exact[k]) for k in keys}
    left = total - sum(shares.values())
    for k in sorted(keys, key=lambda k: (-(exact[k] - shares[k]), repr(k)))[:left]:
        shares[k] += 1
    if caps is not None:
        shares = {k: min(v, caps[k]) for k, v in shares.items()}
    return shares


def allocate(total: int, frame_sizes: Mapping[int, int], mode: str = "proportional") -> dict[int, int]:
    """Numbers to draw per entity. Frames smaller than their share are drawn whole (see `draw`)."""
    if mode not in ALLOCATION_MODES:
        raise ValueError(f"unknown allocation mode {mode!r}")
    weights = {k: (1 if mode == "equal" else v) for k, v in frame_sizes.items() if v > 0}
    return largest_remainder(total, weights)


def _rng(seed: str, entity_id: int) -> random.Random:
    digest = hashlib.sha256(f"{seed}\x1f{entity_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


@dataclass(frozen=True)
class EntityDraw:
    entity_id: int
    allocated: int
    drawn: tuple[Candidate, ...]  # in serving order

    @property
    def short(self) -> bool:
        return len(self.drawn) < self.allocated


def draw_entity(seed: str, entity_id: int, allocated: int, candidates: Sequence[Candidate]) -> EntityDraw:
    """Draw `allocated` numbers of one entity (all of them when the frame is smaller)."""
    rng = _rng(seed, entity_id)
    ordered = sorted(candidates, key=lambda c: c.phone_hmac)
    if allocated >= len(ordered):
        chosen = list(ordered)
    else:
        strata: dict[str, list[Candidate]] = defaultdict(list)
        for c in ordered:
            strata[c.stratum].append(c)
        sizes = {k: len(v) for k, v in strata.items()}
        per_stratum = largest_remainder(allocated, sizes, caps=sizes)
        chosen = []
        for stratum in sorted(strata):
            chosen.extend(rng.sample(strata[stratum], per_stratum[stratum]))
    rng.shuffle(chosen)  # the order fresh cases are served in: strata interleaved
    return EntityDraw(entity_id, allocated, tuple(chosen))


def new_seed() -> str:
    """A seed for a first draw (recorded with it; a redraw with the same seed is identical)."""
    return hashlib.sha256(random.SystemRandom().randbytes(32)).hexdigest()[:16]
