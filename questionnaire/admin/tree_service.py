"""The tree upload: the template as the tree stands, a preview of what a clean file changes, and
applying it in one transaction (units by code, this campaign's targets; audited).

Between the preview and the confirmation the parsed tree travels in the page itself, signed with
the app's secret (nothing is stored server-side; a tampered or stale form is refused).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.admin import tree_sheet
from questionnaire.campaign_file.org_tree import apply_org, set_unit_targets
from questionnaire.campaigns.models import UnitTarget
from questionnaire.kernel.errors import ServiceError
from questionnaire.org.kinds import kind_label
from questionnaire.org.models import OrgUnit

SALT = "admin-tree-upload"
PREVIEW_SECONDS = 3600


class StalePreview(ServiceError):
    status, code, message = 400, "stale_preview", "预览已过期或被修改，请重新上传文件"


@dataclass
class TreeChanges:
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.renamed or self.moved or self.removed or self.targets)


def _units(session: Session) -> list[OrgUnit]:
    return list(session.scalars(select(OrgUnit).order_by(OrgUnit.sort_order, OrgUnit.id)))


def _targets(session: Session, campaign_id: int) -> dict[int, int]:
    return dict(session.execute(select(UnitTarget.unit_id, UnitTarget.target)
                                .where(UnitTarget.campaign_id == campaign_id)).all())


def template_rows(session: Session, campaign_id: int) -> list[tuple]:
    """The tree as it stands, in sheet order: the city, each county with its townships, city units."""
    units, targets = _units(session), _targets(session, campaign_id)
    by_id = {u.id: u for u in units}
    rows = [("city", u.code, u.name, "", targets.get(u.id)) for u in units if u.kind == "city"]
    for county in (u for u in units if u.kind == "county"):
        rows.append(("county", county.code, county.name, "", targets.get(county.id)))
        rows += [("township", t.code, t.name, by_id[t.county_id].code, targets.get(t.id))
                 for t in units if t.kind == "township" and t.county_id == county.id]
    rows += [("city_unit", u.code, u.name, "", targets.get(u.id)) for u in units if u.kind == "city_unit"]
    return rows


def read_upload(session: Session, data: bytes) -> tree_sheet.SheetResult:
    units = _units(session)
    city = next(({"code": u.code, "name": u.name} for u in units if u.kind == "city"), None)
    return tree_sheet.read(data, {u.code: u.kind for u in units}, city)


def _spec_units(spec: dict) -> dict[str, tuple[str, str, str | None, int | None]]:
    """code -> (kind, name, county code, target)."""
    out = {}
    if spec["city"]:
        out[spec["city"]["code"]] = ("city", spec["city"]["name"], None, spec["city"].get("target_responses"))
    for c in spec["counties"]:
        out[c["code"]] = ("county", c["name"], None, c["target_responses"])
        for t in c["townships"]:
            out[t["code"]] = ("township", t["name"], c["code"], t["target_responses"])
    for u in spec["city_units"]:
        out[u["code"]] = ("city_unit", u["name"], None, u["target_responses"])
    return out


def changes(session: Session, campaign_id: int, spec: dict) -> TreeChanges:
    """What applying `spec` would change, in words."""
    units, targets = _units(session), _targets(session, campaign_id)
    by_id = {u.id: u for u in units}
    stored = {u.code: u for u in units}
    wanted = _spec_units(spec)
    out = TreeChanges()
    for code, (kind, name, county, target) in wanted.items():
        unit = stored.get(code)
        if unit is None:
            out.added.append(f"{kind_label(kind)} {name}（{code}）")
        else:
            if unit.name != name:
                out.renamed.append(f"{unit.name} → {name}（{code}）")
            if kind == "township" and unit.county_id and by_id[unit.county_id].code != county:
                out.moved.append(f"{name}：{by_id[unit.county_id].name} → {wanted[county][1]}")
        old = targets.get(unit.id) if unit is not None else None
        if old != target:
            before = old if old is not None else "未设"
            out.targets.append(f"{name}：{before} → {target if target is not None else '不设目标'}")
    for unit in units:
        if unit.code not in wanted:
            out.removed.append(f"{unit.kind_label} {unit.name}（{unit.code}）")
    return out


def sign(secret: str, spec: dict) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(spec)


def unsign(secret: str, token: str) -> dict:
    try:
        return URLSafeTimedSerializer(secret, salt=SALT).loads(token or "", max_age=PREVIEW_SECONDS)
    except BadSignature:
        raise StalePreview() from None


def apply(session: Session, campaign_id: int, spec: dict, user_id: int, ip_hash: str | None) -> TreeChanges:
    """Write the tree and this campaign's targets; audited; commits."""
    summary = changes(session, campaign_id, spec)
    units, _ = apply_org(session, spec)
    set_unit_targets(session, campaign_id, spec, units)
    add_event(session, user_id, "upload_tree", f"campaign:{campaign_id}",
              {"added": len(summary.added), "renamed": len(summary.renamed), "moved": len(summary.moved),
               "not_listed": len(summary.removed), "targets": len(summary.targets)}, ip_hash)
    session.commit()
    return summary
