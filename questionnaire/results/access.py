"""Which entities' results an office account may see: every one for the office, else only its own."""

from __future__ import annotations

from questionnaire.org.scope import Scope


def visible_entities(scope: Scope, kind: str) -> set[int] | None:
    """The entities of `kind` an account may see: all (None) for the office, else only its own."""
    if scope.is_admin:
        return None
    if scope.role == "county" and kind == "county":
        return {scope.county_id}
    if scope.role == "unit" and kind == "city_unit":
        return {scope.unit_id}
    return set()


def own_entity_id(scope: Scope, kind: str) -> int | None:
    """The entity an account speaks for (files objections as), if it is of `kind`."""
    visible = visible_entities(scope, kind)
    return next(iter(visible)) if visible else None
