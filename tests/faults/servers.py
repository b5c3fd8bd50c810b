"""Private PostgreSQL, Redis, gunicorn and RQ worker processes for the fault tests.

Every process here listens on a free loopback port and lives in a temporary
directory: the fault tests kill and restart them, so they must never touch the
machine's shared services.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception as exc:  # noqa: BLE001 - "not yet" in any form
            last = exc
        else:
            if result:
                return result
        time.sleep(interval)
    raise ServerError(f"timed out after {timeout}s waiting for {what} (last error: {last})")


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def missing_binaries() -> str | None:
    """Why the fault tests cannot start their servers here, or None."""
    if postgres_bin_dir() is None:
        return "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb)"
    if shutil.which("redis-server") is None:
        return "redis-server not found on PATH"
    if not (VENV_BIN / "gunicorn").exists():
        return f"gunicorn not installed in {VENV_BIN}"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root but runuser is missing (PostgreSQL refuses to run as root)"
    return None


class PrivatePostgres:
    """A throwaway cluster: initdb into a temp dir, pg_ctl to start, stop and restart it.

    fsync=off: these tests kill and restart the *server process*, never the machine.
    A committed transaction's WAL has been write()-n to the kernel before COMMIT returns
    (synchronous_commit stays on), and the kernel's page cache survives a killed
    postmaster, so "acknowledged = durably stored" holds across fast and immediate
    restarts without paying for fsync. Only an OS crash would need fsync=on.
    """

    def __init__(self, fsync: bool = False) -> None:
        self.fsync = fsync  # on for a benchmark whose timings must be production's (bench/backup_restore.py)
        self.bin = postgres_bin_dir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sq-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, user="postgres", group="postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise ServerError(f"{' '.join(args[:2])} failed: {proc.stdout}{proc.stderr}\n{self.tail_log()}")
        return proc

    def tail_log(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def init(self) -> PrivatePostgres:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        return self.start()

    def configure(self, settings: dict[str, str]) -> None:
        """Append settings to the cluster's postgresql.conf (a base backup carries them along)."""
        lines = "".join(f"{name} = '{value}'\n" for name, value in settings.items())
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(lines)

    def sql(self, statement: str) -> str:
        """One statement through psql; the first column of the first row."""
        proc = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                         "-XAtqc", statement)
        return proc.stdout.strip()

    def start(self, wait_seconds: int = 60) -> PrivatePostgres:
        fsync = "on" if self.fsync else "off"
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync={fsync} "
                   "-c max_connections=60 -c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", str(wait_seconds),
                  "start", timeout=wait_seconds + 30)
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: fast (sessions terminated, clean checkpoint) or immediate (crash-like)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> None:
        # -l again: without it the restarted postmaster would write to (and hold open) our pipe.
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "-t", "60", "restart")

    def is_running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def ensure_running(self) -> None:
        if not self.is_running():
            self.start()

    def destroy(self) -> None:
        if self.data.exists() and self.is_running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """redis-server as a child process that keeps nothing on disk (a restart comes back empty)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sq-faults-redis-"))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, 10, f"redis-server on port {self.port}")
        return self

    def ping(self) -> bool:
        import redis

        return redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5).ping()

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def kill(self) -> None:
        """kill -9: no shutdown, no save; everything Redis held is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def ensure_running(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.start()

    def destroy(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def app_env(pg: PrivatePostgres, redis_: PrivateRedis, instance_path: str, **extra: str) -> dict[str, str]:
    """Environment for a production-like process (gunicorn, flask CLI, rq worker) on the private servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "DATABASE_", "REDIS_"))}
    env.update({
        "QUESTIONNAIRE_ENV": "production",
        "DATABASE_URL": pg.url,
        "REDIS_URL": redis_.url,
        "SECRET_KEY": FAULT_SECRET_KEY,
        "PARTICIPANT_HMAC_KEY": FAULT_HMAC_KEY,
        "FIELD_ENCRYPTION_KEY": FAULT_FIELD_ENCRYPTION_KEY,
        "PUBLIC_BASE_URL": "http://survey.test",
        "INSTANCE_PATH": instance_path,
        "FLASK_APP": "wsgi",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


# Production mode refuses weak or repository-known keys: fresh ones per test session, shared by
# the test process (which signs tokens and computes hashes with them) and the servers it starts.
FAULT_SECRET_KEY = secrets.token_hex(32)
FAULT_HMAC_KEY = secrets.token_hex(32)
FAULT_FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()


class Gunicorn:
    """The production web process (config/gunicorn.conf.py) on a free port."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.env = dict(env, BIND=f"127.0.0.1:{self.port}")
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str) -> Gunicorn:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise ServerError(f"gunicorn exited with {self.proc.returncode}: {self.tail_log()}")
            with urllib.request.urlopen(self.base_url + ready_path, timeout=2) as resp:
                return resp.status == 200

        try:
            wait_until(ready, 60, "gunicorn to answer", interval=0.2)
        except ServerError as exc:
            raise ServerError(f"{exc}\n{self.tail_log()}") from None
        return self

    def tail_log(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(25)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None
        if getattr(self, "_log", None):
            self._log.close()


class FlaskProcess:
    """`flask <args>` as a child process on the private servers (rq-worker, rebuild-redis, ...)."""

    def __init__(self, env: dict[str, str], log_path: Path, *args: str) -> None:
        self.env, self.log_path, self.args = env, log_path, args
        self.proc: subprocess.Popen | None = None

    def start(self) -> FlaskProcess:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(VENV_BIN / "flask"), *self.args], cwd=REPO, env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def tail_log(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """kill -9 the process (no chance to roll back, release locks or tell RQ)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "_log", None):
            self._log.close()


def run_flask(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run one `flask ...` command to completion (what an operator types)."""
    return subprocess.run([str(VENV_BIN / "flask"), *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)
