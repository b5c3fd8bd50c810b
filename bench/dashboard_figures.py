"""Time one dashboard read (all figures of a campaign, as the JSON endpoint builds them).

Usage (against a database that has a campaign with tallies, e.g. after
`flask seed-demo`, `flask generate-responses --campaign 1 --count 200000 --yes`,
`flask tallies apply`):
    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/dashboard_figures.py [campaign_id] [runs]
Prints the tally row counts, per-read time (admin and one county account) and the JSON size.
The cost depends on the number of tally rows (entry points x questions x options x flag sets),
not on the number of responses.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from questionnaire.app import create_app  # noqa: E402
from questionnaire.dashboard import figures
from questionnaire.dashboard.suggestions import recent_suggestions
from questionnaire.extensions import db  # noqa: E402
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.tallies.models import TallyAnswer, TallyEntry, TallyHour


def read_all(campaign_id: int, scope: Scope) -> dict:
    data = figures.load(db.session, campaign_id, scope, include_flagged=False)
    out = {"summary": figures.summary(data), "counties": figures.county_rows(data),
           "units": figures.unit_rows(data), "questions": figures.question_rows(data),
           "series": figures.series(data),
           "suggestions": recent_suggestions(db.session, campaign_id, scope, False)}
    db.session.commit()
    return figures.jsonable(out)


def timed(campaign_id: int, scope: Scope, runs: int) -> tuple[float, int]:
    times, body = [], {}
    for _ in range(runs):
        start = time.perf_counter()
        body = read_all(campaign_id, scope)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, len(json.dumps(body, ensure_ascii=False).encode())


def main() -> None:
    campaign_id = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    app = create_app()
    with app.app_context():
        for model in (TallyEntry, TallyAnswer, TallyHour):
            n = db.session.scalar(select(func.count()).select_from(model).where(model.campaign_id == campaign_id))
            sums = db.session.scalar(select(func.sum(TallyEntry.responses))
                                     .where(TallyEntry.campaign_id == campaign_id))
            print(f"{model.__tablename__}: {n} rows" + (f" ({sums} responses)" if model is TallyEntry else ""))
        county = db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "county").order_by(OrgUnit.id))
        for name, scope in (("admin", Scope(role="admin", user_id=0)),
                            ("county", Scope(role="county", user_id=0, county_id=county))):
            ms, size = timed(campaign_id, scope, runs)
            print(f"{name}: median {ms:.1f} ms per full read over {runs} runs, JSON {size / 1024:.1f} KB")


if __name__ == "__main__":
    main()
