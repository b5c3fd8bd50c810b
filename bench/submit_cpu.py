"""CPU cost of one submission, in-process: where the milliseconds of the hot path go.

    .venv/bin/python bench/submit_cpu.py [--n 2000]

Calls the app's WSGI callable directly (no network server, no load tool) on the bench database
(real PostgreSQL + Redis, the bench campaign of bench/run_load.py) and prints CPU milliseconds
per request spent in this Python process, in PostgreSQL backends and in Redis, for a bare Flask
"hello", a JSON API submission and an HTML form submission. On a 2-core machine the sum bounds
what gunicorn can accept per second; the load benchmark measures the rest (HTTP, scheduling).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_support as ls  # noqa: E402


def environ(method: str, path: str, body: bytes, headers: dict) -> dict:
    env = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        env[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return env


def call(app, env: dict) -> int:
    status = []
    body = app(env, lambda s, h, exc_info=None: status.append(s))
    for _ in body:
        pass
    getattr(body, "close", lambda: None)()
    return int(status[0].split()[0])


def measure(label: str, app, make_env, n: int, ok: tuple[int, ...], args) -> None:
    redis_pid = ls.redis_pid(args.redis)
    for _ in range(50):  # warm caches, pools, prepared statements
        call(app, make_env())
    envs = [make_env() for _ in range(n)]
    pg_before = {p: ls.proc_cpu(p) for p in ls.pg_backend_pids(args.db)}
    redis_before = ls.proc_cpu(redis_pid) if redis_pid else 0.0
    t0, w0 = time.process_time(), time.perf_counter()
    statuses = [call(app, env) for env in envs]
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    pg = sum(ls.proc_cpu(p) - pg_before.get(p, 0.0) for p in ls.pg_backend_pids(args.db))
    redis_cpu = (ls.proc_cpu(redis_pid) - redis_before) if redis_pid else 0.0
    bad = [s for s in statuses if s not in ok]
    print(f"{label:<18} app {cpu * 1000 / n:5.2f}  PostgreSQL {pg * 1000 / n:5.2f}  Redis {redis_cpu * 1000 / n:5.2f}"
          f"  = {(cpu + pg + redis_cpu) * 1000 / n:5.2f} CPU ms/request   (wall {wall * 1000 / n:.2f} ms"
          f"{'; unexpected statuses ' + str(sorted(set(bad))) if bad else ''})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default=os.environ.get("BENCH_DATABASE_URL",
                                                  "postgresql+psycopg://postgres@127.0.0.1:5432/bench_g"))
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    p.add_argument("--n", type=int, default=2000)
    args = p.parse_args()
    args.instance, args.port = "/tmp/sq-bench-cpu", 5713
    os.makedirs(args.instance, exist_ok=True)
    campaign_id, codes = ls.reset_stores(args)
    codes = list(codes)
    os.environ.update(ls.app_env(args, {"TRUSTED_PROXY_HOPS": "1"}))

    from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

    from bench.hello import app as hello
    from questionnaire.app import create_app

    app = create_app()
    device = URLSafeSerializer(ls.SECRET, salt="participant-device")
    form = URLSafeTimedSerializer(ls.SECRET, salt="survey-form")
    rng = random.Random(1)

    def ip() -> str:
        net = rng.randrange(ls.IP_NETWORKS)
        return f"10.{net // 256}.{net % 256}.{rng.randrange(1, 255)}"

    def api_env() -> dict:
        body = json.dumps({"submission_id": str(uuid.uuid4()), "duration_seconds": 60, "answers": {
            "gov": "5", "security": "4", "transport": "dk", "suggestion": "路灯需要修"}}).encode()
        return environ("POST", f"/api/v1/entries/{rng.choice(codes)}/responses", body, {
            "Content-Type": "application/json", "X-Participant-Token": device.dumps(uuid.uuid4().hex),
            "X-Forwarded-For": ip()})

    def form_env() -> dict:
        code = rng.choice(codes)
        token = form.dumps({"sid": str(uuid.uuid4()), "code": code, "t": time.time() - 90})
        body = f"gov=5&security=4&transport=dk&suggestion=ok&token={token}".encode()
        return environ("POST", f"/s/{code}", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sq_device={device.dumps(uuid.uuid4().hex)}", "X-Forwarded-For": ip()})

    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{args.n:,} requests each, one thread")
    measure("bare Flask hello", hello, lambda: environ("GET", "/", b"", {}), args.n, (200,), args)
    measure("API submission", app, api_env, args.n, (201,), args)
    measure("form submission", app, form_env, args.n, (200,), args)


if __name__ == "__main__":
    main()
