"""Backup and point-in-time restore of 1,000,000 responses with pgBackRest (not part of ./dev test).

    .venv/bin/python bench/backup_restore.py [--responses 1000000] [--after 50000]

Builds a private cluster on a loopback port (tests/faults/servers.py; fsync ON here, so the timings
are a production server's), WAL archived by pgBackRest with the production archive_timeout (60 s),
migrates it, imports demo/hechi-2026.yaml and writes N synthetic responses with
`flask generate-responses` (COPY). Then: a full online backup (timed), `--after` more responses
(WAL the restore has to replay), a target time T, the WAL shipped, and a restore to T into a new
data directory: pgBackRest's file restore plus PostgreSQL's WAL replay until it promotes (timed),
the responses counted against the primary's at T, and `flask rebuild-redis` into a fresh Redis
(timed). Prints one `BACKUP {...}` JSON line. Needs pgbackrest (apt-get install pgbackrest) and
the PostgreSQL server binaries; removes everything it made.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.backup import PgBackRest, pgbackrest_missing, start_restored  # noqa: E402
from tests.faults.servers import PrivatePostgres, PrivateRedis, app_env, missing_binaries, run_flask  # noqa: E402

PRODUCTION_ARCHIVE_TIMEOUT = 60


def flask(env: dict, *args: str, timeout: float = 3600) -> tuple[str, float]:
    started = time.monotonic()
    proc = run_flask(env, *args, timeout=timeout)
    if proc.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout, time.monotonic() - started


def du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True).stdout
    return round(int(out.split()[0]) / 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--after", type=int, default=50_000, help="responses written after the backup")
    args = parser.parse_args()
    problem = missing_binaries() or pgbackrest_missing()
    if problem:
        raise SystemExit(problem)

    pg, redis_ = PrivatePostgres(fsync=True), PrivateRedis()
    backrest = PgBackRest(pg, archive_timeout=PRODUCTION_ARCHIVE_TIMEOUT)
    restored = PrivatePostgres(fsync=True)
    fresh_redis = PrivateRedis()
    try:
        pg.init()
        pg.configure(backrest.archiving_settings())
        pg.restart()
        backrest.create_stanza()
        redis_.start()
        env = app_env(pg, redis_, str(backrest.root / "instance"))
        flask(env, "db", "upgrade", "heads")
        flask(env, "import-campaign", str(ROOT / "demo" / "hechi-2026.yaml"))
        campaign_id = pg.sql("SELECT min(id) FROM campaigns")
        _, generate_seconds = flask(env, "generate-responses", "--campaign", campaign_id,
                                    "--count", str(args.responses), "--yes")
        database_mb = round(int(pg.sql("SELECT pg_database_size('postgres')")) / 1e6, 1)

        backup_seconds = backrest.backup_full()
        flask(env, "generate-responses", "--campaign", campaign_id, "--count", str(args.after), "--seed", "7", "--yes")
        at_target = int(pg.sql("SELECT count(*) FROM responses"))
        target = datetime.now(timezone.utc)
        time.sleep(1)
        # Recovery stops at the first commit after T (PostgreSQL refuses a target the WAL never passes).
        flask(env, "generate-responses", "--campaign", campaign_id, "--count", "10", "--seed", "8", "--yes")
        backrest.ship_current_wal()

        started = time.monotonic()
        backrest.restore(restored, until=target)
        files_seconds = time.monotonic() - started
        start_restored(restored, timeout=3600)
        restore_seconds = time.monotonic() - started
        back = int(restored.sql("SELECT count(*) FROM responses"))

        fresh_redis.start()
        out, rebuild_seconds = flask(app_env(restored, fresh_redis, str(backrest.root / "instance")),
                                     "rebuild-redis", "--campaign", campaign_id)
        markers = int(re.search(r"markers=(\d+)", out).group(1))
        print("BACKUP " + json.dumps({
            "responses_at_backup": args.responses, "responses_at_target": at_target,
            "responses_after_restore": back, "all_present": back == at_target,
            "database_mb": database_mb, "repository_mb": du_mb(backrest.repo),
            "generate_seconds": round(generate_seconds, 1), "backup_seconds": round(backup_seconds, 1),
            "restore_files_seconds": round(files_seconds, 1), "restore_to_promoted_seconds": round(restore_seconds, 1),
            "rebuild_redis_seconds": round(rebuild_seconds, 1), "redis_markers": markers,
            "archive_timeout_seconds": PRODUCTION_ARCHIVE_TIMEOUT,
        }))
    finally:
        fresh_redis.destroy()
        restored.destroy()
        redis_.destroy()
        pg.destroy()
        backrest.destroy()


if __name__ == "__main__":
    main()
