"""Pieces of the load benchmark: stores, pre-signed requests, processes, probe, checks.

bench/run_load.py is the command; this module keeps it short. Nothing here imports
the Flask app: the server under test runs in gunicorn processes, the checks talk
to PostgreSQL directly.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
SECRET = "bench-secret-key"
HMAC_KEY = "bench-participant-hmac-key"
# Distinct /24 networks the residents come from (ip_hash keeps /24): enough that neither the
# per-IP limit (600/min) nor the IP burst flag (30/min) fires at a compressed campaign's rate.
IP_NETWORKS = 20_000


def pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def campaign_doc() -> dict:
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc).replace(microsecond=0)
    counties = [{"code": f"K{c:02d}", "name": f"测试{c}县",
                 "townships": [{"code": f"K{c:02d}T{t:02d}", "name": f"{c}-{t}镇"} for t in range(10)]}
                for c in range(11)]
    return {
        "campaign": {"slug": "bench", "title": "压测社会评价", "year": 2026, "target_responses": 1_200_000,
                     "opens_at": (now - timedelta(days=1)).isoformat(),
                     "closes_at": (now + timedelta(days=30)).isoformat(),
                     # The bench squeezes a six-month campaign into minutes: ~1,000 answers per minute
                     # per entry code would all be "burst" at the default 300. Per-IP stays default.
                     "settings": {"max_per_entry_window": 100_000}},
        "org": {"city": {"code": "C", "name": "压测市"}, "counties": counties, "city_units": []},
        "questionnaires": [{"key": "county", "title": "县区满意度问卷", "questions": [
            {"id": "gov", "type": "rating", "title": "您对当地政府工作的总体评价"},
            {"id": "security", "type": "rating", "title": "您对当地社会治安的满意程度"},
            {"id": "transport", "type": "rating", "title": "您对当地交通出行的满意程度"},
            {"id": "suggestion", "type": "text", "title": "意见建议", "required": False, "max_length": 200},
        ]}],
        "entry_points": [{"for": "counties", "questionnaire": "county"},
                         {"for": "townships", "questionnaire": "county"}],
    }


def app_env(args, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": args.db, "REDIS_URL": args.redis, "SECRET_KEY": SECRET,
        "PARTICIPANT_HMAC_KEY": HMAC_KEY, "FLASK_APP": "wsgi", "INSTANCE_PATH": args.instance,
        "BIND": f"127.0.0.1:{args.port}", "ACCESS_LOG": "", "PYTHONPATH": str(ROOT),
    })
    env.update(extra or {})
    return env


def flask(args, *cmd: str) -> str:
    out = subprocess.run([str(VENV_BIN / "flask"), *cmd], cwd=ROOT, env=app_env(args),
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"flask {' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def reset_stores(args) -> tuple[int, dict[str, int]]:
    """Empty the bench database and Redis db, migrate, import the bench campaign."""
    import psycopg
    import redis

    base, name = pg_url(args.db).rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(pg_url(args.db), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    redis.Redis.from_url(args.redis).flushdb()
    flask(args, "db", "upgrade", "heads")
    path = Path(args.instance) / "bench-campaign.json"
    path.write_text(json.dumps(campaign_doc(), ensure_ascii=False))
    flask(args, "import-campaign", str(path))
    with psycopg.connect(pg_url(args.db)) as conn:
        campaign_id = conn.execute("SELECT id FROM campaigns WHERE slug = 'bench'").fetchone()[0]
        codes = dict(conn.execute("SELECT code, id FROM collection_points ORDER BY id").fetchall())
    return campaign_id, codes


def seed_history(args, campaign_id: int, campaigns: int, rows: int) -> float:
    """Earlier campaigns in the same tables: `campaigns` copies of the bench campaign, years
    back, each with its own collection points and `rows` settled responses (SQL-generated,
    inserted before the current campaign's, as the years would have). Returns seconds taken.

    Their tallies are not generated (tally tables are per campaign and small); everything
    the submit path, the recount and the export touch for the current campaign is there.
    """
    import psycopg

    t0 = time.monotonic()
    with psycopg.connect(pg_url(args.db), autocommit=True) as conn:
        for k in range(1, campaigns + 1):
            old = conn.execute(
                "INSERT INTO campaigns (slug, title, year, round, target_responses, opens_at, closes_at, settings, "
                "created_at, answer_scope, organizer, hotline) SELECT slug || '-' || %(k)s, title || '（往年）', "
                "year - %(k)s, round, target_responses, opens_at - %(k)s * interval '1 year', "
                "closes_at - %(k)s * interval '1 year', settings, created_at - %(k)s * interval '1 year', "
                "answer_scope, organizer, hotline FROM campaigns WHERE id = %(c)s RETURNING id",
                {"k": k, "c": campaign_id}).fetchone()[0]
            conn.execute(
                "INSERT INTO collection_points (code, campaign_id, questionnaire_id, evaluated_unit_id, "
                "collected_unit_id, is_enabled, created_at, channel) SELECT NULL, %(old)s, questionnaire_id, "
                "evaluated_unit_id, collected_unit_id, false, created_at, channel FROM collection_points "
                "WHERE campaign_id = %(c)s ORDER BY id", {"old": old, "c": campaign_id})
            conn.execute(
                "INSERT INTO responses (campaign_id, questionnaire_id, questionnaire_version, collection_point_id, "
                "evaluated_unit_id, collected_unit_id, participant_hash, identity_kind, submission_id, answers, "
                "answers_digest, duration_seconds, ip_hash, user_agent_class, created_at, flags, channel) "
                "SELECT %(old)s, p.questionnaire_id, 1, p.id, p.evaluated_unit_id, p.collected_unit_id, "
                "md5(%(old)s || '-' || g), 'device', gen_random_uuid()::text, "
                "jsonb_build_object('gov', (1 + g %% 5)::text, 'security', (1 + g %% 4)::text, "
                "'transport', (1 + g %% 3)::text), md5(g::text), 25 + g %% 300, "
                "substr(md5('ip' || g %% 200000), 1, 16), "
                "'wechat-android', c.opens_at + (g %% 15000000) * interval '1 second', 0, p.channel "
                "FROM generate_series(0, %(rows)s - 1) g "
                "JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, * FROM collection_points "
                "      WHERE campaign_id = %(old)s) p ON p.n = g %% (SELECT count(*) FROM collection_points "
                "      WHERE campaign_id = %(old)s) "
                "CROSS JOIN (SELECT opens_at FROM campaigns WHERE id = %(old)s) c",
                {"old": old, "rows": rows})
            print(f"history: campaign {old} with {rows:,} responses ({time.monotonic() - t0:.0f} s)", flush=True)
        conn.execute("VACUUM ANALYZE responses")
        conn.execute("VACUUM ANALYZE collection_points")
    return time.monotonic() - t0


def write_requests(args, codes: list[str], per_thread: int, form_share: float | None = None) -> Path:
    """One line per request, signed with the server's own serializers (what a phone sends back).

    Lines: `api <code> <participant token> <submission id> <ip> <dup>` or
    `form <code> <device cookie> <form token> <ip> <dup>`. dup=1 re-uses a participant from
    hundreds of requests earlier (long answered) with a new submission id: it must be refused.
    """
    from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

    device = URLSafeSerializer(SECRET, salt="participant-device")
    form = URLSafeTimedSerializer(SECRET, salt="survey-form")
    form_share = args.form_share if form_share is None else form_share
    out = Path(args.instance) / "requests"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    rng = random.Random(7)
    rendered = time.time() - 90  # the form was opened 90 s ago (not a speeder)
    for t in range(args.wrk_threads):
        seen: list[tuple[str, str, str]] = []
        with open(out / f"thread-{t}.txt", "w") as fh:
            for _ in range(per_thread):
                dup = len(seen) > 500 and rng.random() < args.dup_share
                if dup:
                    code, token, ip = seen[rng.randrange(0, len(seen) - 400)]
                else:
                    net = rng.randrange(IP_NETWORKS)
                    ip = f"10.{net // 256}.{net % 256}.{rng.randrange(1, 255)}"
                    code, token = rng.choice(codes), device.dumps(uuid.uuid4().hex)
                    seen.append((code, token, ip))
                sid = str(uuid.uuid4())
                if rng.random() < form_share:
                    ftoken = form.dumps({"sid": sid, "code": code, "t": rendered})
                    fh.write(f"form {code} {token} {ftoken} {ip} {int(dup)}\n")
                else:
                    fh.write(f"api {code} {token} {sid} {ip} {int(dup)}\n")
    return out


def wait_ready(port: int, path: str = "/", timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1).read()
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise SystemExit(f"server on :{port} did not become ready")


def start(cmd: list[str], env: dict, log: Path | None = None) -> subprocess.Popen:
    err = open(log, "w") if log else subprocess.DEVNULL
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def start_tally_workers(args) -> list[subprocess.Popen]:
    """The production pair: `flask rq-worker tallies` and `flask tallies cron --interval 1`."""
    logs = Path(args.instance)
    return [start([str(VENV_BIN / "flask"), "rq-worker", "tallies"], app_env(args), logs / "rq-worker.log"),
            start([str(VENV_BIN / "flask"), "tallies", "cron", "--interval", "1"], app_env(args),
                  logs / "rq-cron.log")]


def tallied_responses(conn, campaign_id: int, collection_point_id: int) -> int:
    """What the dashboard reads: the sum of tally_entries over flags for one entry point."""
    return conn.execute("SELECT coalesce(sum(responses), 0) FROM tally_entries "
                        "WHERE campaign_id = %s AND collection_point_id = %s",
                        (campaign_id, collection_point_id)).fetchone()[0]


@dataclass
class Probe:
    """Every ~2 s one tagged API submission through its own entry code; time until it is tallied."""

    port: int
    db: str
    campaign_id: int
    code: str
    collection_point_id: int
    every: float = 2.0
    acked: int = 0
    lags: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)

    def _submit(self) -> bool:
        from itsdangerous import URLSafeSerializer

        token = URLSafeSerializer(SECRET, salt="participant-device").dumps(uuid.uuid4().hex)
        body = json.dumps({"submission_id": str(uuid.uuid4()), "duration_seconds": 60,
                           "answers": {"gov": "4", "security": "3", "transport": "5"}}).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1/entries/{self.code}/responses", data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Participant-Token": token,
                     "X-Forwarded-For": "10.250.250.1"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status == 201
        except (urllib.error.URLError, OSError) as exc:
            self.failures.append(str(exc))
            return False

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(pg_url(self.db), autocommit=True) as conn:
            while not self._stop.is_set():
                started = time.monotonic()
                if self._submit():
                    self.acked += 1
                    acked_at = time.monotonic()
                    while tallied_responses(conn, self.campaign_id, self.collection_point_id) < self.acked:
                        if time.monotonic() - acked_at > 120:
                            self.failures.append("not tallied within 120 s")
                            break
                        time.sleep(0.05)
                    else:
                        self.lags.append(time.monotonic() - acked_at)
                self._stop.wait(max(0.0, self.every - (time.monotonic() - started)))

    def summary(self) -> str:
        if not self.lags:
            return f"no probe measured ({len(self.failures)} failures)"
        lags = sorted(self.lags)
        return (f"{len(lags)} probes: p50 {statistics.median(lags):.1f} s, max {lags[-1]:.1f} s"
                + (f", {len(self.failures)} failures" if self.failures else ""))


def wait_for_tallies(args, campaign_id: int, timeout: float = 900) -> tuple[float, int]:
    """Wait (workers still running) until no response is uncounted; return (seconds, rows left)."""
    import psycopg

    t0 = time.monotonic()
    with psycopg.connect(pg_url(args.db), autocommit=True) as conn:
        while True:
            left = conn.execute("SELECT count(*) FROM tally_pending WHERE campaign_id = %s",
                                (campaign_id,)).fetchone()[0]
            if left == 0 or time.monotonic() - t0 > timeout:
                return time.monotonic() - t0, left
            time.sleep(0.5)


def time_export(args, campaign_id: int, fmt: str = "xlsx") -> tuple[int, float, float]:
    """The office's raw-response export of the whole campaign, as the export job builds it
    (plan, dataset, writer), into a temporary file: (rows, wall seconds, CPU seconds here)."""
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from sqlalchemy import create_engine

    from questionnaire.exports import datasets, plan, writers
    from questionnaire.org.scope import Scope

    engine = create_engine(args.db.replace("postgresql://", "postgresql+psycopg://"))
    admin = SimpleNamespace(id=0, role="admin", org_unit_id=None, is_active=True)
    t0, c0 = time.perf_counter(), time.process_time()
    with engine.connect() as conn, tempfile.NamedTemporaryFile(suffix=f".{fmt}") as out:
        p = plan.plan(conn, Scope.for_user(admin), plan.ExportRequest(campaign_id, "responses", fmt))
        dataset = datasets.build(conn, p, datetime.now(timezone.utc), yield_per=2000)
        if fmt == "csv":
            counts = writers.write_csv(out, dataset)
        else:
            counts = writers.write_xlsx(out.name, dataset)
    engine.dispose()
    return sum(counts.values()), time.perf_counter() - t0, time.process_time() - c0


def check_stores(args, campaign_id: int, acknowledged: int) -> list[str]:
    """stored == acknowledged, nobody twice, tallies == a full recount (services.tallies.verify)."""
    from sqlalchemy import create_engine, text

    from questionnaire.tallies import counting as tallies

    engine = create_engine(args.db.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        stored = conn.scalar(text("SELECT count(*) FROM responses WHERE campaign_id = :c"), {"c": campaign_id})
        dups = conn.scalar(text("SELECT count(*) FROM (SELECT 1 FROM responses WHERE campaign_id = :c "
                                "GROUP BY participant_hash HAVING count(*) > 1) d"), {"c": campaign_id})
    t0 = time.perf_counter()
    problems = tallies.verify(engine, campaign_id)
    verify_s = time.perf_counter() - t0
    engine.dispose()
    return [
        f"stored responses       : {stored:,}  acknowledged: {acknowledged:,}  "
        f"{'OK' if stored == acknowledged else 'MISMATCH'}",
        f"participants twice     : {dups}  {'OK' if dups == 0 else 'FAIL'}",
        f"tallies == recount     : {'OK (verify: exact' if not problems else 'FAIL (' + '; '.join(problems[:5])}"
        f", {verify_s:.1f} s)",
    ]


# -- CPU accounting: the machine is shared, so CPU seconds per submission are the steadier figure --

def proc_cpu(pid: int, kernel_only: bool = False) -> float:
    """utime + stime of one process in seconds (0 when it is gone); stime alone if asked."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    ticks = int(fields[12]) if kernel_only else int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def redis_pid(url: str) -> int | None:
    import redis

    try:
        return int(redis.Redis.from_url(url).info("server")["process_id"])
    except Exception:  # noqa: BLE001 - not on this machine
        return None


def pg_backend_pids(db_url: str) -> list[int]:
    import psycopg

    name = db_url.rsplit("/", 1)[-1].split("?")[0]
    with psycopg.connect(pg_url(db_url), autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))]


@dataclass
class CpuMeter:
    """CPU seconds spent by each part of the system between start() and stop()."""

    groups: dict  # name -> callable returning the pids to count
    before: dict = field(default_factory=dict)
    spent: dict = field(default_factory=dict)
    # The kernel's share (stime): on one machine, loopback TCP to Redis and PostgreSQL is
    # charged to the sender, so it shows how much of a request is socket work.
    kernel: dict = field(default_factory=dict)

    def _read(self) -> dict[str, dict[int, tuple[float, float]]]:
        return {name: {pid: (proc_cpu(pid), proc_cpu(pid, kernel_only=True)) for pid in pids()}
                for name, pids in self.groups.items()}

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> None:
        after = self._read()
        for name, pids in after.items():
            base = self.before.get(name, {})
            self.spent[name] = sum(cpu - base.get(pid, (0.0, 0.0))[0] for pid, (cpu, _) in pids.items())
            self.kernel[name] = sum(k - base.get(pid, (0.0, 0.0))[1] for pid, (_, k) in pids.items())
