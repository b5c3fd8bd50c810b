"""`ruff check` passes on everything we ship or run ([tool.ruff] in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["questionnaire", "workers", "tests", "bench", "migrations", "wsgi.py"]


def test_ruff_check_passes():
    # ruff is in the dev extra: a missing ruff is a broken dev install, not a reason to skip.
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
