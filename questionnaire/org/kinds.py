"""The kinds of org unit and their Chinese names (pure): the one mapping pages and exports show."""

from __future__ import annotations

ORG_KINDS = ("city", "county", "township", "city_unit")
ORG_KIND_LABELS = {"city": "市", "county": "县区", "township": "乡镇", "city_unit": "市直单位"}


def kind_label(kind: str) -> str:
    return ORG_KIND_LABELS.get(kind, kind)
