"""pgBackRest around a private PostgreSQL cluster (tests/faults/servers.py): WAL archiving, a full
base backup, and a point-in-time restore into a new data directory. Used by the backup fault test
and bench/backup_restore.py; the production setup it mirrors is config/backup/ and the README's
"Backups and restore".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.faults.servers import PrivatePostgres, ServerError, wait_until

STANZA = "questionnaire"
# A WAL segment is shipped when it is full or, with any write in it, after this many seconds: the
# bound on what losing the primary's disk loses (the RPO). Production: 60 (config/backup/).
ARCHIVE_TIMEOUT_SECONDS = 5


def pgbackrest_missing() -> str | None:
    if shutil.which("pgbackrest") is None:
        return "pgbackrest not installed (Debian package pgbackrest; ./dev test installs it as root)"
    return None


class PgBackRest:
    """One repository and stanza in a temp dir, run as the cluster's OS user."""

    def __init__(self, pg: PrivatePostgres, archive_timeout: int = ARCHIVE_TIMEOUT_SECONDS) -> None:
        self.pg = pg
        self.archive_timeout = archive_timeout
        self.root = Path(tempfile.mkdtemp(prefix="sq-backup-"))
        self.repo = self.root / "repo"
        self.config = self.root / "pgbackrest.conf"
        self._as_root = os.geteuid() == 0
        for sub in ("repo", "log", "lock", "spool"):
            (self.root / sub).mkdir()
        self.config.write_text(
            "[global]\n"
            f"repo1-path={self.repo}\nrepo1-retention-full=2\n"
            f"log-path={self.root / 'log'}\nlock-path={self.root / 'lock'}\nspool-path={self.root / 'spool'}\n"
            "log-level-console=warn\nlog-level-file=info\n"
            "compress-type=lz4\nprocess-max=2\nstart-fast=y\n"
            f"\n[{STANZA}]\n"
            f"pg1-path={pg.data}\npg1-port={pg.port}\npg1-socket-path={pg.root}\npg1-user=postgres\n"
        )
        if self._as_root:
            for path in (self.root, *self.root.rglob("*")):
                shutil.chown(path, user="postgres", group="postgres")

    def archiving_settings(self) -> dict[str, str]:
        """postgresql.conf lines of a cluster whose WAL pgBackRest archives."""
        return {
            "wal_level": "replica",
            "archive_mode": "on",
            "archive_command": f"pgbackrest --config={self.config} --stanza={STANZA} archive-push %p",
            "archive_timeout": str(self.archive_timeout),
        }

    def run(self, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
        cmd = ["pgbackrest", f"--config={self.config}", f"--stanza={STANZA}", *args]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise ServerError(f"pgbackrest {' '.join(args)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
        return proc

    def create_stanza(self) -> None:
        self.run("stanza-create")
        self.run("check")  # archive_command works: a WAL switch reaches the repository

    def backup_full(self) -> float:
        """An online full base backup; returns its seconds."""
        started = time.monotonic()
        self.run("--type=full", "backup")
        return time.monotonic() - started

    def ship_current_wal(self) -> None:
        """Switch to a new WAL segment and wait until the old one is in the repository."""
        self.run("check")

    def restore(self, target: PrivatePostgres, until: datetime | None = None) -> None:
        """Restore the newest backup into `target`'s (new, empty) data directory and replay the
        archived WAL up to `until` (an aware time; inclusive) or to its end; archiving is off in the copy
        so it never writes into this repository."""
        target.data.mkdir(mode=0o700)
        if self._as_root:
            shutil.chown(target.data, user="postgres", group="postgres")
        args = [f"--pg1-path={target.data}", "--archive-mode=off"]
        if until is not None:  # without a target: replay every archived segment, then promote
            args += ["--type=time", f"--target={until.isoformat(sep=' ')}", "--target-action=promote"]
        self.run(*args, "restore")

    def destroy(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def start_restored(target: PrivatePostgres, timeout: float = 3600) -> None:
    """Start a restored cluster and wait until recovery has ended and it accepts writes."""
    target.start(wait_seconds=int(timeout))
    wait_until(lambda: target.sql("SELECT pg_is_in_recovery()") == "f", timeout,
               "the restored cluster to finish recovery and promote", interval=0.2)
