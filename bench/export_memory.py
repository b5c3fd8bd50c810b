"""Export 1.2 M raw responses to CSV and XLSX; print rows, seconds, rows/s, file size and peak RSS.

CPU ms/row is the export process's own CPU (reading, formatting, writing; PostgreSQL's is
not in it), the figure that compares across machines. Each export runs in its own
subprocess (so ru_maxrss is that export's peak alone), once
for one county (~1/11 of the rows) and once for everything: if memory is flat, both
peaks are about the same although the second writes ~11x the rows.

Setup (PostgreSQL, your own database; takes a minute or two):
    createdb -h 127.0.0.1 -U postgres bench_f
    .venv/bin/python bench/export_memory.py --database-url postgresql://postgres@127.0.0.1:5432/bench_f \
        --seed 1200000
Later runs without --seed reuse the rows. Drop the database afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(ROOT / ".venv/bin/flask"), *args], cwd=ROOT, env=env, check=True)


def rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child(fmt: str, scope: str) -> None:
    """Run one export in this process and print one JSON line."""
    from sqlalchemy import select

    from questionnaire.accounts.models import OfficeUser
    from questionnaire.app import create_app
    from questionnaire.campaigns.models import Campaign
    from questionnaire.exports.plan import ExportRequest
    from questionnaire.extensions import db
    from questionnaire.org.models import OrgUnit
    from workers.export_jobs import build_export

    app = create_app()
    with app.app_context():
        admin_id = db.session.scalar(select(OfficeUser.id).where(OfficeUser.role == "admin").order_by(OfficeUser.id))
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        unit_id = None
        if scope == "county":
            unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "county")
                                        .order_by(OrgUnit.sort_order, OrgUnit.id))
        db.session.remove()
        request = ExportRequest(campaign_id, "responses", fmt, unit_id=unit_id).to_dict()
        samples: list[int] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                samples.append(rss_kb())

        before = rss_kb()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start, cpu_start = time.perf_counter(), time.process_time()
        result = build_export(uuid.uuid4().hex, admin_id, request)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        done.set()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    quarter = samples[len(samples) // 4] if samples else 0
    print(json.dumps({"format": fmt, "scope": scope, "rows": result["rows"], "seconds": round(seconds, 1),
                      "cpu_seconds": round(cpu, 2),
                      "bytes": result["bytes"], "rss_before_kb": before, "rss_at_25pct_kb": quarter,
                      "rss_at_end_kb": samples[-1] if samples else 0, "peak_rss_kb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_f")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--seed", type=int, default=0, help="migrate, seed the demo and generate N responses first")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--scopes", default="county,all")
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "SCOPE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    instance = tempfile.mkdtemp(prefix="bench-export-")
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
           "INSTANCE_PATH": instance}
    if args.seed:
        flask(env, "db", "upgrade", "heads")
        flask(env, "seed-demo")
        flask(env, "create-demo-accounts")
        flask(env, "generate-responses", "--campaign", "1", "--count", str(args.seed))
    print(f"load average before: {os.getloadavg()} (cpus: {os.cpu_count()})")
    print(f"{'format':6} {'scope':6} {'rows':>9} {'seconds':>8} {'rows/s':>8} {'CPU ms/row':>10} {'MB':>7} "
          f"{'RSS start':>10} {'RSS 25%':>8} {'RSS end':>8} {'peak RSS':>9}")
    for fmt in args.formats.split(","):
        for scope in args.scopes.split(","):
            out = subprocess.run([sys.executable, __file__, "--child", fmt, scope], env=env, cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"{r['format']:6} {r['scope']:6} {r['rows']:>9,} {r['seconds']:>8.1f} "
                  f"{r['rows'] / max(r['seconds'], 0.001):>8,.0f} {r['cpu_seconds'] * 1000 / max(r['rows'], 1):>10.3f} "
                  f"{r['bytes'] / 1e6:>7.1f} "
                  f"{r['rss_before_kb'] / 1024:>8.0f}MB {r['rss_at_25pct_kb'] / 1024:>6.0f}MB "
                  f"{r['rss_at_end_kb'] / 1024:>6.0f}MB {r['peak_rss_kb'] / 1024:>7.0f}MB", flush=True)
    print(f"load average after: {os.getloadavg()}")
    for path in Path(instance, "exports").glob("*"):
        path.unlink()


if __name__ == "__main__":
    main()
