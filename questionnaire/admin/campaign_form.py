"""The campaign form's fields <-> a campaign file's `campaign` section (pure).

The form sends strings; they become the section the file import validates
(`campaign_file.importer.validate_campaign_section`), so the form and a file get the same
checks. Times are entered as China time (datetime-local) and written with +08:00.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from questionnaire.campaigns.answer_scope import DEFAULT as DEFAULT_SCOPE
from questionnaire.kernel.china_time import china_time

ROUND_LABELS = {"annual": "年度评议", "mid_year": "中期评议", "year_end": "年终评议"}
SCOPE_LABELS = {
    "questionnaire": "每份问卷一次（同一人可分别评价所在县区和一个市直单位）",
    "campaign": "整个评议只答一次",
    "evaluated_unit": "每个评价对象一次",
}
FIELDS = ("slug", "title", "year", "round", "target_responses", "opens_at", "closes_at", "answer_scope",
          "organizer", "hotline")
_INTEGER = re.compile(r"^\s*\d{1,9}\s*$")


def _number(raw: str):
    """Digits become an int; anything else is passed on as text for the import's own message."""
    raw = (raw or "").replace(",", "").replace("，", "")
    return int(raw) if _INTEGER.match(raw) else raw.strip()


def _local_time(raw: str):
    """'2026-05-01T08:00' typed in China time -> '2026-05-01T08:00:00+08:00' (others unchanged)."""
    raw = (raw or "").strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    return raw if moment.tzinfo else moment.isoformat() + "+08:00"


def section_from_form(form: Mapping[str, str], settings: dict | None = None) -> dict:
    """The `campaign` section a filled-in form stands for."""
    return {
        "slug": (form.get("slug") or "").strip(), "title": (form.get("title") or "").strip(),
        "year": _number(form.get("year", "")), "round": form.get("round") or "annual",
        "target_responses": _number(form.get("target_responses") or "0"),
        "opens_at": _local_time(form.get("opens_at", "")), "closes_at": _local_time(form.get("closes_at", "")),
        "answer_scope": form.get("answer_scope") or DEFAULT_SCOPE,
        "organizer": form.get("organizer", ""), "hotline": form.get("hotline", ""),
        "settings": dict(settings or {}),
    }


def _input_time(moment: datetime | None) -> str:
    local = china_time(moment)
    return local.strftime("%Y-%m-%dT%H:%M") if local else ""


def form_from_campaign(campaign, year_shift: int = 0) -> dict[str, str]:
    """A form pre-filled from a campaign; with `year_shift` the copy for a later year (a starting point)."""
    def shifted(moment):
        if moment is None or not year_shift:
            return moment
        try:
            return moment.replace(year=moment.year + year_shift)
        except ValueError:  # 29 February
            return moment.replace(year=moment.year + year_shift, day=28)

    title = campaign.title
    if year_shift:
        title = title.replace(str(campaign.year), str(campaign.year + year_shift))
    return {
        "slug": f"{campaign.slug.rsplit('-', 1)[0] if campaign.slug[-4:].isdigit() else campaign.slug}-"
                f"{campaign.year + year_shift}" if year_shift else campaign.slug,
        "title": title, "year": str(campaign.year + year_shift), "round": campaign.round,
        "target_responses": str(campaign.target_responses), "opens_at": _input_time(shifted(campaign.opens_at)),
        "closes_at": _input_time(shifted(campaign.closes_at)), "answer_scope": campaign.answer_scope,
        "organizer": campaign.organizer or "", "hotline": campaign.hotline or "",
    }


def empty_form(year: int) -> dict[str, str]:
    return {"slug": f"campaign-{year}", "title": f"{year}年度社会评价", "year": str(year), "round": "annual",
            "target_responses": "0", "opens_at": f"{year}-05-01T00:00", "closes_at": f"{year}-10-31T23:59",
            "answer_scope": DEFAULT_SCOPE, "organizer": "", "hotline": ""}
