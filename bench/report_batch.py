"""Time the report batch on the demo data: every county's and city unit's report (DOCX + PDF) and the city's.

Usage: .venv/bin/python bench/report_batch.py [--responses N] [--out DIR]
Builds a scratch embedded instance (SQLite in a temp directory, fakeredis), migrates it, seeds the
Hechi demo campaign (`flask seed-demo`: 11 counties, 83 city units, synthetic answers, tallied) and
runs the RQ job function itself (inline, as `flask rq-worker` would), then prints its time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def flask(instance: str, *args: str) -> None:
    env = {**os.environ, "INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=3000, help="synthetic demo answers (./dev run uses 3000)")
    parser.add_argument("--out", default=None, help="keep the instance (and the zip) here")
    args = parser.parse_args()
    instance = args.out or tempfile.mkdtemp(prefix="report-bench-")
    os.makedirs(instance, exist_ok=True)
    flask(instance, "db", "upgrade", "heads")
    flask(instance, "seed-demo", "--sample-responses", str(args.responses))

    os.environ["INSTANCE_PATH"] = instance
    from questionnaire.accounts.models import OfficeUser
    from questionnaire.accounts.service import NewAccount, create_user
    from questionnaire.app import create_app
    from questionnaire.extensions import db
    from workers.report_jobs import batch_path, build_report_batch

    app = create_app()
    with app.app_context():
        user = db.session.query(OfficeUser).filter_by(username="bench-admin").one_or_none() or create_user(
            db.session, NewAccount("bench-admin", "bench-admin-password", "admin", None))
        start = time.perf_counter()
        result = build_report_batch(1, user.id, "bench")
        seconds = time.perf_counter() - start
        path = batch_path(app.instance_path, "bench")
    names = zipfile.ZipFile(path).namelist()
    entities = result["reports"] - 1
    print(f"entity_reports={entities} city_reports=1 files={len(names)} seconds={seconds:.1f} "
          f"per_report_s={seconds / result['reports']:.2f} zip_bytes={result['bytes']} out={path}")


if __name__ == "__main__":
    main()
