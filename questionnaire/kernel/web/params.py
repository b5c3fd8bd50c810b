"""Request parameters shared by the office pages (bad input is a 400, rendered in Chinese)."""

from __future__ import annotations

from flask import abort, request


def optional_int(name: str) -> int | None:
    """A form or query id: absent -> None, not digits -> 400."""
    raw = request.values.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        abort(400)
    return int(raw)


def safe_back(target: str | None) -> str | None:
    """A same-site path to return to after a form (no open redirect), or None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
