"""The `org` section of a campaign file: city, counties with townships, city units (pure).

Validated here for the file import and, once more, for the office's Excel tree upload, so both
follow the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def validate_unit(raw: Any, path: str, problems: list[str]) -> dict | None:
    if (not isinstance(raw, Mapping) or not isinstance(raw.get("code"), (str, int))
            or not isinstance(raw.get("name"), str)):
        problems.append(f"{path}: 需要 code 和 name")
        return None
    target = raw.get("target_responses")
    if target is not None and (not isinstance(target, int) or isinstance(target, bool) or target <= 0):
        problems.append(f"{path}.target_responses: 必须是正整数（不设目标时省略）")
        target = None
    return {"code": str(raw["code"]), "name": raw["name"].strip(), "target_responses": target}


def validate_org_section(org: Any, problems: list[str]) -> dict:
    """The file's `org` section (city, counties with townships, city units), normalised;
    problems appended with their paths. The tree upload (admin) checks its rows with it too."""
    org = org or {}
    city = validate_unit(org.get("city"), "org.city", problems) if isinstance(org, Mapping) else None
    counties = []
    for i, raw in enumerate(org.get("counties") or [] if isinstance(org, Mapping) else []):
        county = validate_unit(raw, f"org.counties[{i}]", problems)
        if county is None:
            continue
        county["townships"] = []
        for j, t in enumerate(raw.get("townships") or []):
            if isinstance(t, str):
                t = {"code": f"{county['code']}-{j + 1:03d}", "name": t}
            township = validate_unit(t, f"org.counties[{i}].townships[{j}]", problems)
            if township:
                county["townships"].append(township)
        counties.append(county)
    city_units = []
    for i, raw in enumerate(org.get("city_units") or [] if isinstance(org, Mapping) else []):
        if isinstance(raw, str):
            raw = {"code": f"u{i + 1:03d}", "name": raw}
        unit = validate_unit(raw, f"org.city_units[{i}]", problems)
        if unit:
            city_units.append(unit)
    codes = [u["code"] for u in counties + city_units] + [t["code"] for c in counties for t in c["townships"]]
    dupes = sorted({x for x in codes if codes.count(x) > 1})
    if dupes:
        problems.append(f"org: 单位编码重复：{', '.join(dupes[:10])}")

    return {"city": city, "counties": counties, "city_units": city_units}
