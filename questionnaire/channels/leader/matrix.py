"""Who rates whom (pure): the rater x ratee matrix with the no-self-rating rule (回避).

Every rater rates the counties (scope 县区 or 全部) and, when the campaign enables it, the city
units (scope 市直单位 or 全部); never their own unit, never the county their own unit lies in (a
county branch of a stationed unit, a township), never anything on their 回避对象 list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SCOPE_COUNTIES = "counties"
SCOPE_CITY_UNITS = "city_units"
SCOPE_ALL = "all"
SCOPES = (SCOPE_COUNTIES, SCOPE_CITY_UNITS, SCOPE_ALL)
SCOPE_LABELS = {SCOPE_COUNTIES: "县区", SCOPE_CITY_UNITS: "市直单位", SCOPE_ALL: "全部"}


@dataclass(frozen=True)
class Ratee:
    id: int
    name: str
    kind: str  # county / city_unit


@dataclass(frozen=True)
class RaterSeat:
    """What the matrix needs to know of a rater."""

    unit_id: int
    unit_county_id: int | None  # the county the rater's unit lies in (None for city units)
    scope: str
    avoid_unit_ids: frozenset[int] = frozenset()


def assignments(rater: RaterSeat, counties: Sequence[Ratee], city_units: Sequence[Ratee],
                rate_city_units: bool) -> list[Ratee]:
    """The ratees of one rater, counties first, in the order given."""
    excluded = {rater.unit_id, *rater.avoid_unit_ids}
    if rater.unit_county_id is not None:
        excluded.add(rater.unit_county_id)
    chosen: list[Ratee] = []
    if rater.scope in (SCOPE_COUNTIES, SCOPE_ALL):
        chosen += counties
    if rate_city_units and rater.scope in (SCOPE_CITY_UNITS, SCOPE_ALL):
        chosen += city_units
    return [r for r in chosen if r.id not in excluded]


def matrix_size(raters: Iterable[RaterSeat], counties: Sequence[Ratee], city_units: Sequence[Ratee],
                rate_city_units: bool) -> int:
    return sum(len(assignments(r, counties, city_units, rate_city_units)) for r in raters)
