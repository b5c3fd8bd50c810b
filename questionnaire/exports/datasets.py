"""Build the dataset an export plan asks for: raw responses (plan.py) or tallies (tallies.py).

A module of its own so that plan.py, which tallies.py builds on, does not import tallies.py back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from questionnaire.exports import tallies as export_tallies
from questionnaire.exports.plan import Dataset, Plan, responses_dataset


def build(conn: Connection, p: Plan, generated_at: datetime, yield_per: int = 2000) -> Dataset:
    if p.request.dataset == "responses":
        return responses_dataset(conn, p, generated_at, yield_per)
    return export_tallies.dataset(conn, p, generated_at, csv=p.request.fmt == "csv")
