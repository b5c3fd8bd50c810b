"""Page weight of the Hechi demo's county form: HTML + CSS + JS, raw and gzipped.

Builds a throwaway SQLite app, imports demo/hechi-2026.yaml, renders a county's
/s/<code> through the test client and fetches every same-origin stylesheet and
script the page references. Run: .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from questionnaire.app import create_app
    from questionnaire.campaign_file.importer import import_campaign, read_campaign_file
    from questionnaire.extensions import db
    from questionnaire.intake.models import CollectionPoint
    from questionnaire.org.models import OrgUnit

    tmp = tempfile.mkdtemp(prefix="sq-page-weight-")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PARTICIPANT_HMAC_KEY": "y", "REDIS_URL": None,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/w.db", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        import_campaign(db.session, read_campaign_file(ROOT / "demo/hechi-2026.yaml"))
        county = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "county").order_by(OrgUnit.sort_order))
        code = db.session.scalar(select(CollectionPoint.code).where(CollectionPoint.collected_unit_id == county.id))
        client = app.test_client()
        html = client.get(f"/s/{code}").data
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
        parts = [("html", html)] + [(a.decode().split("?")[0], client.get(a.decode()).data) for a in assets]
    total_raw = total_gz = 0
    for name, body in parts:
        gz = len(gzip.compress(body, 6))
        total_raw, total_gz = total_raw + len(body), total_gz + gz
        print(f"{name:40s} {len(body):7d} B raw {gz:7d} B gzip")
    print(f"{'total (county form ' + code + ')':40s} {total_raw:7d} B raw {total_gz:7d} B gzip")


if __name__ == "__main__":
    main()
