"""Load benchmark of the submission path: gunicorn + PostgreSQL + Redis + RQ tally workers, driven by wrk.

    .venv/bin/python bench/run_load.py                      # 60,000 submissions, default layout
    .venv/bin/python bench/run_load.py --quick              # 25,000 submissions (about a minute)
    .venv/bin/python bench/run_load.py --matrix             # every gunicorn layout, short runs
    .venv/bin/python bench/run_load.py --sweep 4,8,16,32    # one layout at several connection counts
    .venv/bin/python bench/run_load.py --requests 1260000   # a whole 1.2 M campaign (+5 % duplicates)
    .venv/bin/python bench/run_load.py --quick --history 5  # with five earlier 1.2 M campaigns in the tables

Resets the bench database (bench_g) and Redis db 13, imports a bench campaign (11 counties x
10 townships), pre-signs one request per resident (device token or form token + cookie, what
a phone sends back), measures a bare-Flask hello under the same gunicorn settings, then drives
the submissions with wrk from this machine (wrk shares the CPUs with the server): half the
requests as HTML form posts, then half as API calls, so that each path's gunicorn CPU per
accepted submission is printed as a ratio to the hello's (--mixed: one run of both), while
`flask rq-worker tallies` and `flask tallies cron --interval 1` keep the tallies live and a
probe times submission -> tally. Afterwards: stored == acknowledged, nobody twice, tallies
== full recount, and times the raw-response export of the campaign (XLSX and CSV). The rate
limiter is on with its production limits; every resident's address
comes in X-Forwarded-For through bench/proxied_wsgi.py (ProxyFix, one trusted hop).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_support as ls  # noqa: E402

CAMPAIGN_SIZE = 1_200_000
P99_GOAL_MS = 50
CPU_RATIO_GOAL = 2.5  # gunicorn CPU per accepted submission / a bare Flask hello's (issue 17)
LAYOUTS = {
    "sync-4": {"class": "sync", "workers": 4, "threads": 1},
    "sync-8": {"class": "sync", "workers": 8, "threads": 1},
    "gthread-2x4": {"class": "gthread", "workers": 2, "threads": 4},
    "gthread-2x8": {"class": "gthread", "workers": 2, "threads": 8},
    "gthread-4x4": {"class": "gthread", "workers": 4, "threads": 4},
    "gthread-3x2": {"class": "gthread", "workers": 3, "threads": 2},
}


def gunicorn_env(layout: dict) -> dict:
    return {"WORKER_CLASS": layout["class"], "WEB_CONCURRENCY": str(layout["workers"]),
            "WEB_THREADS": str(layout["threads"])}


def gunicorn(args, layout: dict, app: str, log: str):
    return ls.start([str(ls.VENV_BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", app],
                    ls.app_env(args, gunicorn_env(layout)), Path(args.instance) / log)


@dataclass
class Hello:
    rate: float  # requests/s, median of the runs
    cpu_ms: float  # gunicorn CPU per request (all its processes), median of the runs
    runs: list
    kernel_ms: float = 0.0  # of which kernel time (stime), median of the runs


def measure_hello(args, layout: dict, connections: int) -> Hello:
    """The bare-Flask baseline under the same gunicorn settings: median of three 5 s runs.

    The machine is shared and one run can be off by half; the CPU per request is the
    steadier figure, and the ratio of CPU per request is reported next to the rate ratio.
    """
    proc = gunicorn(args, layout, "bench.hello:app", "hello.log")
    try:
        ls.wait_ready(args.port)
        time.sleep(2)  # every worker booted, not just the first to answer
        runs, kernel = [], []
        for _ in range(3):
            before = sum(ls.proc_cpu(p) for p in [proc.pid, *ls.children(proc.pid)])
            kernel_before = sum(ls.proc_cpu(p, kernel_only=True) for p in [proc.pid, *ls.children(proc.pid)])
            out = subprocess.run(["wrk", f"-t{args.wrk_threads}", f"-c{connections}", "-d5s",
                                  f"http://127.0.0.1:{args.port}/"], capture_output=True, text=True).stdout
            spent = sum(ls.proc_cpu(p) for p in [proc.pid, *ls.children(proc.pid)]) - before
            kernel_spent = sum(ls.proc_cpu(p, kernel_only=True) for p in [proc.pid, *ls.children(proc.pid)])
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            runs.append((rate, spent * 1000 / (rate * 5)))
            kernel.append((kernel_spent - kernel_before) * 1000 / (rate * 5))
        return Hello(statistics.median(r for r, _ in runs), statistics.median(c for _, c in runs), runs,
                     statistics.median(kernel))
    finally:
        ls.stop(proc)


def run_submissions(args, layout: dict, requests_dir: Path, probe: ls.Probe | None,
                    tally_worker: int) -> dict:
    proc = gunicorn(args, layout, "bench.proxied_wsgi:app", "gunicorn.log")
    wrk = None
    redis_pid = ls.redis_pid(args.redis)
    meter = ls.CpuMeter({"app": lambda: ls.children(proc.pid), "postgres": lambda: ls.pg_backend_pids(args.db),
                         "redis": lambda: [redis_pid] if redis_pid else [], "tally": lambda: [tally_worker],
                         "wrk": lambda: [wrk.pid] if wrk else []})
    try:
        ls.wait_ready(args.port)
        if probe:
            probe.start()
        meter.start()
        # The run ends when every request has its answer (the Lua script writes done-<thread>
        # files; wrk's own clock would sleep for all of -d, so it is interrupted with SIGINT).
        wrk = subprocess.Popen(
            ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", "-d3h", "--timeout", "10s",
             "-s", str(ls.ROOT / "bench" / "submit.lua"), f"http://127.0.0.1:{args.port}", "--",
             str(requests_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while wrk.poll() is None and len(list(requests_dir.glob("done-*"))) < args.wrk_threads:
            time.sleep(0.05)
        meter.stop()
        wrk.send_signal(signal.SIGINT)
        stdout, stderr = wrk.communicate()
        if probe:
            probe.stop()
        line = next((ln for ln in stdout.splitlines() if ln.startswith("RESULT")), None)
        if line is None:
            raise SystemExit(f"wrk produced no result:\n{stdout}\n{stderr}")
        result = {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    finally:
        if wrk is not None and wrk.poll() is None:
            wrk.kill()
        ls.stop(proc)
    log = (Path(args.instance) / "gunicorn.log").read_text(errors="replace")
    result["server_tracebacks"] = log.count("Traceback")
    if result["server_tracebacks"]:
        print(log[log.index("Traceback"):][:3000])
    result["cpu"] = meter.spent
    result["cpu_kernel"] = meter.kernel
    return result


def report(args, layout: dict, hello: Hello, r: dict, probe: ls.Probe | None, label: str = "mixed") -> dict:
    seconds = r["duration_us"] / 1e6
    rate = r["acked"] / seconds
    print(f"\n== {label}: gunicorn {layout['class']} workers={layout['workers']} threads={layout['threads']}; "
          f"wrk -t{args.wrk_threads} -c{args.connections} on the same machine ==")
    print(f"requests sent          : {r['n']:,} ({r['dup_sent']:,} duplicate attempts) in {seconds:.1f} s")
    print(f"accepted submissions/s : {rate:,.0f}  ({r['acked']:,} acknowledged)")
    print(f"all answers/s          : {(r['acked'] + r['dup_refused']) / seconds:,.0f}  (accepted + refused)")
    print(f"latency p50/p95/p99    : {r['p50_us'] / 1000:.1f} / {r['p95_us'] / 1000:.1f} / "
          f"{r['p99_us'] / 1000:.1f} ms  (p99.9 {r['p999_us'] / 1000:.0f} ms, max {r['max_us'] / 1000:.0f} ms)")
    print(f"duplicates refused     : {r['dup_refused']:,} of {r['dup_sent']:,} expected  "
          f"{'OK' if r['dup_refused'] == r['dup_sent'] else 'MISMATCH'}")
    print(f"errors                 : {r['errors']} http, {r['unavailable']} 503, {r['limited']} 429, "
          f"{r['socket_errors']} socket ({r['n'] - r['answered']} requests without an answer), "
          f"{r['server_tracebacks']} server tracebacks")
    print(f"bare Flask hello req/s : {hello.rate:,.0f} (median of {', '.join(f'{x:,.0f}' for x, _ in hello.runs)}), "
          f"gunicorn CPU {hello.cpu_ms:.2f} ms/request  -> accepted submissions / hello = {rate / hello.rate:.3f}")
    print(f"1.2 M campaign at this : {CAMPAIGN_SIZE / rate / 60:.1f} min  (goal < 15 min = 1,333/s)")
    if probe and label in ("mixed", "form + API"):
        print(f"submission -> tally    : {probe.summary()}  (+ dashboard poll interval 5 s)")
    cpu = {k: v * 1000 / max(r["acked"], 1) for k, v in r["cpu"].items()}
    server_ms = cpu["app"] + cpu["postgres"] + cpu["redis"] + cpu["tally"]
    print(f"CPU ms per accepted    : app {cpu['app']:.2f} + PostgreSQL {cpu['postgres']:.2f} + Redis "
          f"{cpu['redis']:.2f} + tally worker {cpu['tally']:.2f} = {server_ms:.2f}  (wrk {cpu['wrk']:.2f})")
    kernel_ms = r["cpu_kernel"]["app"] * 1000 / max(r["acked"], 1)
    print(f"gunicorn kernel time   : {kernel_ms:.2f} of the app's {cpu['app']:.2f} ms (HTTP, Redis, PostgreSQL sockets)"
          f"; hello {hello.kernel_ms:.2f} of {hello.cpu_ms:.2f} ms")
    print(f"gunicorn CPU ratio     : accepted {cpu['app']:.2f} ms / hello {hello.cpu_ms:.2f} ms = "
          f"{cpu['app'] / hello.cpu_ms:.2f}x a hello's CPU (goal <= {CPU_RATIO_GOAL}x; from CPU time, "
          "steadier on a shared machine than the rates)")
    print(f"capacity if the server had {os.cpu_count()} cores to itself: "
          f"{os.cpu_count() * 1000 / server_ms:,.0f} accepted/s (CPU bound estimate)")
    return {"rate": rate, "hello": hello.rate, "p50": r["p50_us"] / 1000, "p95": r["p95_us"] / 1000,
            "p99": r["p99_us"] / 1000, "cpu_ms": server_ms, "cpu_ratio": cpu["app"] / hello.cpu_ms,
            "errors": r["errors"] + r["unavailable"] + r["limited"] + r["socket_errors"]}


def run_layout(args, name: str) -> dict:
    """One layout: the form posts, then the API calls (each half of the requests, so the gunicorn
    CPU of each path is measured against the hello on its own), or one mixed run (--mixed)."""
    layout = LAYOUTS[name]
    print(f"\n#### layout {name}, {args.connections} connections")
    campaign_id, codes = ls.reset_stores(args)
    if args.history:
        seconds = ls.seed_history(args, campaign_id, args.history, args.history_rows)
        print(f"history: {args.history} earlier campaigns x {args.history_rows:,} responses in {seconds:.0f} s")
    probe_code = sorted(codes)[-1]  # the probe has an entry code of its own
    load_codes = [c for c in codes if c != probe_code]
    phases = [("mixed", args.form_share)] if args.mixed else [("form", 1.0), ("API", 0.0)]
    per_thread = args.requests // args.wrk_threads // len(phases)
    hello = measure_hello(args, layout, args.connections)
    workers = ls.start_tally_workers(args)
    probe = None if args.no_probe else ls.Probe(args.port, args.db, campaign_id, probe_code, codes[probe_code])
    results = {}
    try:
        for label, form_share in phases:
            t0 = time.time()
            requests_dir = ls.write_requests(args, load_codes, per_thread, form_share)
            print(f"\n{label}: {len(codes)} entry codes; {per_thread * args.wrk_threads:,} pre-signed requests "
                  f"({args.dup_share:.0%} duplicate attempts, {form_share:.0%} HTML form, "
                  f"{ls.IP_NETWORKS:,} /24 networks) in {time.time() - t0:.0f} s")
            results[label] = run_submissions(args, layout, requests_dir, probe, workers[0].pid)
            shutil.rmtree(requests_dir, ignore_errors=True)
        summaries = {label: report(args, layout, hello, r, probe, label) for label, r in results.items()}
        if len(results) > 1:
            summaries["all"] = report(args, layout, hello, combined(results), probe, "form + API")
        waited, left = ls.wait_for_tallies(args, campaign_id)
        print(f"tally catch-up         : {waited:.1f} s after the load ended ({left} rows left)")
    finally:
        for proc in workers:
            ls.stop(proc)
    acknowledged = sum(r["acked"] for r in results.values()) + (probe.acked if probe else 0)
    for line in ls.check_stores(args, campaign_id, acknowledged):
        print(line)
    for fmt in ("xlsx", "csv"):
        rows, wall, cpu = ls.time_export(args, campaign_id, fmt)
        print(f"raw export {fmt:<4}        : {rows:,} rows in {wall:.1f} s, {cpu * 1000 / max(rows, 1):.3f} ms CPU/row "
              "(the export process; PostgreSQL's not included)")
    if len(results) > 1:
        print("gunicorn CPU per accepted / hello's: "
              + ", ".join(f"{label} {s['cpu_ratio']:.2f}x" for label, s in summaries.items() if label != "all")
              + f"  (goal <= {CPU_RATIO_GOAL}x)")
    return summaries["all" if len(results) > 1 else "mixed"]


def combined(results: dict) -> dict:
    """The phases as one run: counts and CPU add up, latency percentiles are the worst phase's."""
    total: dict = {"cpu": {}}
    for r in results.values():
        for key, value in r.items():
            if key in ("cpu", "cpu_kernel"):
                for part, spent in value.items():
                    total.setdefault(key, {})
                    total[key][part] = total[key].get(part, 0.0) + spent
            elif key.startswith("p") and key.endswith("_us") or key == "max_us":
                total[key] = max(total.get(key, 0), value)
            else:
                total[key] = total.get(key, 0) + value
    return total


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default=os.environ.get("BENCH_DATABASE_URL",
                                                  "postgresql+psycopg://postgres@127.0.0.1:5432/bench_g"))
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    p.add_argument("--port", type=int, default=5713)
    p.add_argument("--requests", type=int, default=60_000, help="requests to send (duplicates included)")
    p.add_argument("--quick", action="store_true", help="25,000 requests: about a minute")
    p.add_argument("--connections", type=int, default=6,
                   help="wrk connections (closed loop: beyond the server's threads they only queue)")
    p.add_argument("--wrk-threads", type=int, default=1)
    p.add_argument("--dup-share", type=float, default=0.05)
    p.add_argument("--form-share", type=float, default=0.5, help="with --mixed: share of HTML form posts")
    p.add_argument("--mixed", action="store_true",
                   help="one run mixing form and API requests instead of a form phase and an API phase")
    p.add_argument("--layout", default="gthread-3x2", choices=sorted(LAYOUTS))
    p.add_argument("--matrix", action="store_true", help="measure every layout (default 20,000 requests each)")
    p.add_argument("--sweep", default="", help="comma-separated connection counts for --layout, e.g. 4,8,16,32")
    p.add_argument("--no-probe", action="store_true")
    p.add_argument("--history", type=int, default=0,
                   help="earlier campaigns to put in the tables first (goal: flat as years accumulate)")
    p.add_argument("--history-rows", type=int, default=1_200_000, help="responses per earlier campaign")
    args = p.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    # A SIGTERM (timeout, Ctrl-C from a wrapper) still stops gunicorn and the workers (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.requests = 25_000
    elif (args.matrix or args.sweep) and args.requests == 60_000:
        args.requests = 20_000
    if not shutil.which("wrk"):
        raise SystemExit("wrk is required (apt-get install wrk)")
    args.instance = tempfile.mkdtemp(prefix="sq-bench-")
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"at start; PostgreSQL {args.db.rsplit('/', 1)[-1]}, Redis {args.redis}")
    try:
        if args.sweep:
            # Closed loop: latency = connections / throughput once the CPUs are full, so the
            # rate that keeps p99 within the goal is found by lowering the connections.
            table = {}
            for c in sorted(int(x) for x in args.sweep.split(",")):
                args.connections = c
                table[f"{args.layout} c{c}"] = run_layout(args, args.layout)
        else:
            names = list(LAYOUTS) if args.matrix else [args.layout]
            table = {name: run_layout(args, name) for name in names}
    finally:
        shutil.rmtree(args.instance, ignore_errors=True)
    if len(table) > 1:
        print("\nrun                accepted/s  hello/s  ratio   p50 ms  p95 ms  p99 ms  errors  "
              "server CPU ms/accepted")
        for name, s in table.items():
            print(f"{name:<18} {s['rate']:>10,.0f} {s['hello']:>8,.0f} {s['rate'] / s['hello']:>6.3f} "
                  f"{s['p50']:>8.1f} {s['p95']:>7.1f} {s['p99']:>7.1f} {s['errors']:>7} {s['cpu_ms']:>10.2f}")
        within = [(s["rate"], name) for name, s in table.items() if s["p99"] <= P99_GOAL_MS and not s["errors"]]
        print(f"best rate with p99 <= {P99_GOAL_MS} ms: "
              + (f"{max(within)[0]:,.0f} accepted/s ({max(within)[1]})" if within else "none of these runs"))
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
