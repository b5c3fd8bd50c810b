"""No secret is committed or shipped: the tracked files and the built static assets hold no
private key, no WeChat AppSecret-like hex string, no Fernet or cloud token, no literal assigned
to a secret-named setting and no other high-entropy token, except the listed test fixtures."""

from __future__ import annotations

import collections
import math
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    # A WeChat AppSecret (and many API keys) is 32 hex digits; 64 would be a raw 256-bit key.
    "AppSecret-like hex": re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{64})(?![0-9A-Za-z])"),
    "Fernet key": re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])"),
    "cloud token": re.compile(
        r"\b(?:AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|xox[abprs]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9]{32,})"),
    "secret literal": re.compile(
        r"""(?ix)\b[A-Z_]*(?:secret(?:_key)?|hmac_key|password|passwd|encryption_key|api_key|token)\b["']?\s*[:=]\s*
            (?P<q>["'])(?P<value>[^"'\s]{8,})(?P=q)"""),
}
TOKEN = re.compile(r"[A-Za-z0-9+/_=-]{32,}")
ENV_SECRET = re.compile(r"^(?P<name>[A-Z_]*(?:SECRET|KEY|PASSWORD|TOKEN)[A-Z_]*)=(?P<value>.*)$", re.MULTILINE)

# (path, the matched text or literal value): why it is not a secret. Keep it short and specific.
ALLOWED = {
    ("tests/conftest.py", "test-secret-key"): "test app key, refused in production",
    ("tests/conftest.py", "test-participant-hmac-key"): "test app key, refused in production",
    ("bench/load_support.py", "bench-secret-key"): "benchmark stack, refused in production",
    ("bench/load_support.py", "bench-participant-hmac-key"): "benchmark stack, refused in production",
    ("tests/fixtures/accounts.py", "correct-horse-battery"): "test office accounts' password",
    ("tests/intake/test_admission.py", "test-participant-hmac-key"): "the test app's key again",
    ("tests/hostile/conftest.py", "wx-test-secret"): "fake WeChat server's AppSecret",
    ("tests/intake/conftest.py", "test-app-secret-never-in-browser"): "fake WeChat server's AppSecret",
    ("tests/test_settings.py", "not-a-fernet-key"): "the malformed key a test expects refused",
    ("README.md", "WECHAT_API_BASE/sns/oauth2/access_token"): "a URL path, not a token",
    ("tests/intake/test_share_card.py",
     "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"):
        "the jsapi_ticket of WeChat's published JS-SDK signature example",
    ("config/cluster/patroni.yml.tmpl", "${SUPERUSER_PASSWORD}"): "a placeholder the cluster's start script fills",
    ("config/cluster/patroni.yml.tmpl", "${REPLICATION_PASSWORD}"): "a placeholder the cluster's start script fills",
    ("tests/faults/cluster.py", "cluster-test"): "the private loopback test cluster's database passwords",
    ("tests/faults/test_cluster.py", "cluster-admin"): "the cluster test's office account",
    ("tests/test_secret_scan.py", "*"): "this file spells the patterns out",
}


def _scanned_files() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    built = [p.relative_to(ROOT).as_posix() for p in (ROOT / "questionnaire/static").rglob("*") if p.is_file()]
    return [ROOT / p for p in sorted(set(tracked) | set(built)) if (ROOT / p).is_file()]


def _entropy(text: str) -> float:
    counts = collections.Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _looks_random(token: str) -> bool:
    classes = sum(bool(re.search(p, token)) for p in (r"[a-z]", r"[A-Z]", r"\d"))
    return classes == 3 and _entropy(token) > 4.3


def find_secrets(path: str, text: str) -> list[tuple[str, str]]:
    """(kind, matched text) of everything in `text` that looks like a secret."""
    found = [(kind, m.groupdict().get("value") or m.group(0))
             for kind, pattern in PATTERNS.items() for m in pattern.finditer(text)]
    found += [("high-entropy token", t) for t in TOKEN.findall(text) if _looks_random(t)]
    if path.endswith("env.example"):
        found += [("setting with a value", m.group(0)) for m in ENV_SECRET.finditer(text) if m.group("value").strip()]
    return found


def test_the_repository_and_its_built_assets_hold_no_secret():
    files = _scanned_files()
    assert len(files) > 100 and any("static/vendor" in str(p) for p in files)  # the scan sees what ships
    problems, allowed_seen = [], {(p, m) for p, m in ALLOWED if m == "*"}
    for path in files:
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # fonts and images
        rel = path.relative_to(ROOT).as_posix()
        for kind, match in find_secrets(rel, data.decode("utf-8", "replace")):
            if (rel, match) in ALLOWED:
                allowed_seen.add((rel, match))
            elif (rel, "*") not in ALLOWED:
                problems.append(f"{rel}: {kind}: {match[:80]}")
    assert problems == [], "\n".join(problems)
    assert set(ALLOWED) - allowed_seen == set()  # no stale exception hides a future secret


@pytest.mark.parametrize("path, text, kind", [
    ("x.py", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private key"),
    ("x.py", 'WECHAT_SECRET = "0123456789abcdef0123456789abcdef"', "AppSecret-like hex"),
    ("x.py", 'key = "Xgx02B4voFTeQNPbPfURiSK68m7WYbpxmp20zACTIkQ="', "Fernet key"),
    ("x.py", 'config = {"SECRET_KEY": "a-literal-secret-value"}', "secret literal"),
    ("x.js", "var t='q8Zt3LmW9vR2xK7pN4sD1fG6hJ0cB5yA';", "high-entropy token"),
    ("config/env.example", "SECRET_KEY=deadbeefcafe", "setting with a value"),
])
def test_the_scanner_recognises_each_kind_of_secret(path, text, kind):
    assert kind in {k for k, _ in find_secrets(path, text)}


def test_the_scanner_leaves_ordinary_code_alone():
    ordinary = ('SECRET_KEY = env.get("SECRET_KEY")\nPARTICIPANT_HMAC_KEY=\nTOKEN_HEADER = "X-Participant-Token"\n'
                'def participant_hash(key: str, campaign_id: int) -> str:\n')
    assert find_secrets("config/env.example", ordinary) == []
