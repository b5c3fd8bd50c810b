"""The cluster topology on private processes and loopback ports (README, "Running as a cluster").

etcd (one member here; three in a real cluster), two Patroni-managed PostgreSQL nodes
(synchronous streaming replica), a Redis master + replica watched by three sentinels, two
gunicorn web nodes behind HAProxy (config/haproxy.cfg as shipped), and on each "node" an
RQ tally worker and a `flask tallies cron`. The configuration files are the shipped
templates (config/cluster/*.tmpl) rendered with loopback ports and temp directories.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from string import Template

import psycopg
import redis
from redis.sentinel import Sentinel

from tests.faults.servers import REPO, free_port, postgres_bin_dir, wait_until

CLUSTER_CONFIG = REPO / "config" / "cluster"
SERVICE = "questionnaire"
NEEDED = {"patroni": "patroni", "etcd": "etcd-server", "haproxy": "haproxy", "redis-server": "redis-server"}


def missing_cluster_binaries() -> str | None:
    """Why the cluster topology cannot be started here, or None."""
    missing = [package for binary, package in NEEDED.items() if shutil.which(binary) is None]
    if postgres_bin_dir() is None:
        missing.append("postgresql")
    if missing:
        return ("Debian packages missing: " + ", ".join(missing)
                + " (config/cluster/install-packages.sh installs them; .ci/run does)")
    return None


def render(template: str, path: Path, **values) -> Path:
    path.write_text(Template((CLUSTER_CONFIG / template).read_text()).substitute(
        {k: str(v) for k, v in values.items()}))
    return path


class Process:
    """A child process in its own session, logging to a file; kill() is kill -9 of it alone."""

    def __init__(self, name: str, cmd: list[str], log: Path, env: dict | None = None, cwd: Path | None = None):
        self.name, self.cmd, self.log_path, self.env, self.cwd = name, cmd, log, env, cwd
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.cmd, stdout=self._log, stderr=subprocess.STDOUT, env=self.env,
                                     cwd=self.cwd, start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL (and so Patroni) refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (read from /proc; the backends of a postmaster)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class PatroniNode:
    def __init__(self, root: Path, name: str, etcd_hosts: str) -> None:
        self.name = name
        self.dir = root / name
        self.dir.mkdir()
        self.pg_port, self.rest_port = free_port(), free_port()
        self.data = self.dir / "data"
        config = render("patroni.yml.tmpl", self.dir / "patroni.yml", NODE_NAME=name, NODE_ADDRESS="127.0.0.1",
                        PG_PORT=self.pg_port, REST_PORT=self.rest_port, ETCD_HOSTS=etcd_hosts,
                        DATA_DIR=self.data, BIN_DIR=postgres_bin_dir(), SOCKET_DIR=self.dir, HBA_METHOD="trust",
                        SUPERUSER_PASSWORD="cluster-test", REPLICATION_PASSWORD="cluster-test",
                        TTL=8, LOOP_WAIT=1, RETRY_TIMEOUT=3, FSYNC="off")
        if os.geteuid() == 0:
            for path in (self.dir, config):
                shutil.chown(path, user="postgres", group="postgres")
        self.process = Process(f"patroni-{name}", _as_postgres(["patroni", str(config)]), root / f"{name}.log")

    def role(self) -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.rest_port}/patroni", timeout=1) as resp:
                data = json.loads(resp.read())
        except (OSError, ValueError):
            return None
        return data.get("role") if data.get("state") == "running" else None

    def kill_server(self) -> None:
        """The server is lost: kill -9 Patroni, its postmaster and every backend, each by its pid."""
        pid_file = self.data / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        self.process.kill()
        if postmaster:
            for pid in [postmaster, *_children(postmaster)]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


class Cluster:
    """Start, inspect and break the whole topology."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sq-cluster-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres", group="postgres")
        self.logs = self.root
        self.processes: list[Process] = []
        self.etcd_port, etcd_peer = free_port(), free_port()
        self.etcd = self._process("etcd", [
            "etcd", "--name", "e1", "--data-dir", str(self.root / "etcd"),
            "--listen-client-urls", f"http://127.0.0.1:{self.etcd_port}",
            "--advertise-client-urls", f"http://127.0.0.1:{self.etcd_port}",
            "--listen-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-cluster", f"e1=http://127.0.0.1:{etcd_peer}"])
        self.pg = [PatroniNode(self.root, f"pg{i}", f"127.0.0.1:{self.etcd_port}") for i in (1, 2)]
        self.redis_ports = [free_port(), free_port()]
        self.redis = [
            self._process(f"redis-{i}", ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.root),
                                         *(["--replicaof", "127.0.0.1", str(self.redis_ports[0])] if i else [])])
            for i, port in enumerate(self.redis_ports)]
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.sentinels = []
        for i, port in enumerate(self.sentinel_ports):
            directory = self.root / f"sentinel-{i}"
            directory.mkdir()
            conf = render("sentinel.conf.tmpl", directory / "sentinel.conf", SENTINEL_PORT=port,
                          SENTINEL_BIND="127.0.0.1", SENTINEL_DIR=directory, MASTER_HOST="127.0.0.1",
                          MASTER_PORT=self.redis_ports[0], DOWN_AFTER_MS=1000, FAILOVER_TIMEOUT_MS=5000)
            self.sentinels.append(self._process(f"sentinel-{i}", ["redis-server", str(conf), "--sentinel"]))
        self.web_ports = [free_port(), free_port()]
        self.lb_port, self.pg_lb_port, self.pg_read_port, self.stats_port = (free_port() for _ in range(4))
        self.web: list[Process] = []
        self.workers: list[Process] = []
        self.crons: list[Process] = []
        self.haproxy: Process | None = None

    def _process(self, name: str, cmd: list[str], env: dict | None = None) -> Process:
        process = Process(name, cmd, self.root / f"{name}.log", env=env, cwd=REPO)
        self.processes.append(process)
        return process

    # -- settings the app processes get ------------------------------------------------------

    @property
    def database_url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{n.pg_port}" for n in self.pg)
        return f"postgresql://postgres@{hosts}/postgres?target_session_attrs=read-write"

    @property
    def read_database_url(self) -> str:
        """Dashboards and exports: a replica while there is one, else the primary (libpq decides)."""
        return self.database_url.replace("read-write", "prefer-standby")

    @property
    def sentinels_setting(self) -> str:
        return ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    # -- start -------------------------------------------------------------------------------

    def start_servers(self) -> None:
        self.etcd.start()
        wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{self.etcd_port}/health", timeout=1).status
                   == 200, 30, "etcd")
        for process in self.redis + self.sentinels:
            process.start()
        self.pg[0].process.start()
        wait_until(lambda: self.pg[0].role() in ("primary", "master"), 90, "Patroni to bootstrap pg1",
                   interval=0.3)
        self.pg[1].process.start()
        wait_until(self.replica_streaming, 90, "pg2 to stream from pg1 as the synchronous replica", interval=0.3)
        wait_until(lambda: self.redis_master() == self.redis_ports[0], 30, "the sentinels to see the master")

    def replica_streaming(self) -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.pg[0].rest_port}/cluster", timeout=1) as resp:
            members = json.loads(resp.read())["members"]
        return any(m["role"] == "sync_standby" and m["state"] in ("streaming", "running") for m in members)

    def start_haproxy(self) -> None:
        env = dict(os.environ, HAPROXY_WEB_BIND=f"127.0.0.1:{self.lb_port}",
                   WEB1=f"127.0.0.1:{self.web_ports[0]}", WEB2=f"127.0.0.1:{self.web_ports[1]}",
                   HAPROXY_PG_BIND=f"127.0.0.1:{self.pg_lb_port}",
                   HAPROXY_PG_READ_BIND=f"127.0.0.1:{self.pg_read_port}",
                   PG1=f"127.0.0.1:{self.pg[0].pg_port}", PG2=f"127.0.0.1:{self.pg[1].pg_port}",
                   PG1_API=str(self.pg[0].rest_port), PG2_API=str(self.pg[1].rest_port),
                   HAPROXY_STATS_BIND=f"127.0.0.1:{self.stats_port}")
        self.haproxy = self._process("haproxy", ["haproxy", "-W", "-db", "-f", str(REPO / "config/haproxy.cfg")], env)
        self.haproxy.start()

    def start_app_nodes(self, env: dict, venv_bin: Path) -> None:
        for i, port in enumerate(self.web_ports):
            env = dict(env, INSTANCE_PATH=str(self.root / f"instance-node{i + 1}"))
            gunicorn = [str(venv_bin / "gunicorn"), "-c", "config/gunicorn.conf.py", "wsgi:app"]
            self.web.append(self._process(f"web-{i + 1}", gunicorn, dict(env, BIND=f"127.0.0.1:{port}")))
            # Every queue (tallies, exports, posters), as `flask rq-worker` runs on any node.
            self.workers.append(self._process(f"worker-{i + 1}", [str(venv_bin / "flask"), "rq-worker"], env))
            self.crons.append(self._process(f"cron-{i + 1}", [str(venv_bin / "flask"), "tallies", "cron",
                                                             "--interval", "1"], env))
        for process in self.web + self.workers + self.crons:
            process.start()
        for port in self.web_ports:
            wait_until(lambda p=port: urllib.request.urlopen(f"http://127.0.0.1:{p}/healthz", timeout=2).status == 200,
                       60, f"gunicorn on {port}", interval=0.2)
        wait_until(lambda: urllib.request.urlopen(self.base_url + "/healthz", timeout=2).status == 200, 30,
                   "haproxy to see the web nodes", interval=0.2)

    # -- inspect -----------------------------------------------------------------------------

    def redis_master(self) -> int | None:
        """The master's port as the sentinels say (a majority of them agreeing)."""
        try:
            return Sentinel([("127.0.0.1", p) for p in self.sentinel_ports],
                            sentinel_kwargs={"socket_timeout": 0.5}).discover_master(SERVICE)[1]
        except redis.RedisError:
            return None

    def primary_behind_haproxy(self) -> int | None:
        """The port of the writable server HAProxy's postgres_primary port leads to, if any."""
        try:
            with psycopg.connect(host="127.0.0.1", port=self.pg_lb_port, user="postgres", dbname="postgres",
                                 connect_timeout=1) as conn:
                in_recovery, port = conn.execute(
                    "SELECT pg_is_in_recovery(), current_setting('port')::int").fetchone()
        except psycopg.Error:
            return None
        return None if in_recovery else port

    def haproxy_failures(self) -> list[str]:
        """HAProxy's log lines of requests it answered with a 5xx itself or cut (not the app's 503)."""
        lines = self.haproxy.log_path.read_text(errors="replace").splitlines() if self.haproxy else []
        return [line for line in lines if "/healthz" not in line and '"' in line
                and (" 502 " in line or " 504 " in line or " -1 " in line or "<NOSRV>" in line)]

    def pg_primary(self) -> PatroniNode | None:
        return next((n for n in self.pg if n.role() in ("primary", "master")), None)

    def destroy(self) -> None:
        """Throw the topology away: kill -9 every process it started (each by its own id)."""
        for process in reversed(self.processes):
            process.kill()
        for node in self.pg:
            node.kill_server()
        shutil.rmtree(self.root, ignore_errors=True)
