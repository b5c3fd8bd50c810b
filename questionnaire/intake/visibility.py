"""The per-channel confidentiality rules of intake.channels as SQL conditions and cell checks.

Callers (dashboard, exports) pass their own columns, as with Scope.clause; no channel is named here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from questionnaire.intake.channels import AGGREGATE_ONLY, MIN_ANSWERS_FOR_UNITS, scored_channel
from questionnaire.org.scope import Scope


def scoped_points(scope: Scope, channel_col, collected_col, evaluated_col) -> ColumnElement[bool]:
    """Scope.clause, except that for aggregate-only channels only the evaluated unit grants scope."""
    if scope.is_admin:
        return sa.true()
    collected = sa.case((channel_col.in_(sorted(AGGREGATE_ONLY)), sa.null()), else_=collected_col)
    return scope.clause(collected, evaluated_col)


def individual_rows_visible(scope: Scope, channel_col) -> ColumnElement[bool]:
    """Rows a county or unit may read one by one (raw exports, suggestions): no aggregate-only channel."""
    if scope.is_admin:
        return sa.true()
    return channel_col.not_in(sorted(AGGREGATE_ONLY))


def small_cells(scope: Scope, points: Iterable[tuple[int, str, int]], answers: Mapping[int, int]) -> frozenset[int]:
    """Points whose (channel, evaluated unit) cell has fewer answers than its channel's minimum.

    `points` are (point id, channel, evaluated unit id); `answers` counts per point id. Their rates
    are withheld from county and unit accounts ("样本不足"); the office sees every number.
    """
    if scope.is_admin:
        return frozenset()
    cells: dict[tuple[str, int], list[int]] = defaultdict(list)
    for point_id, channel, evaluated_id in points:
        channel = scored_channel(channel)  # paper and online leader ratings make one cell
        if channel in MIN_ANSWERS_FOR_UNITS:
            cells[(channel, evaluated_id)].append(point_id)
    small = set()
    for (channel, _), ids in cells.items():
        if sum(answers.get(i, 0) for i in ids) < MIN_ANSWERS_FOR_UNITS[channel]:
            small.update(ids)
    return frozenset(small)
