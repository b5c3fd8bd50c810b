"""Environment -> typed Flask configuration.

Everything has a safe default for the embedded mode (SQLite file + in-process
Redis stand-in). With QUESTIONNAIRE_ENV=production the secrets and the real
servers are required, and start-up fails fast when one is missing.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PRODUCTION_REQUIRED = ("SECRET_KEY", "PARTICIPANT_HMAC_KEY", "DATABASE_URL", "REDIS_URL")


class SettingsError(RuntimeError):
    """A required setting is missing or malformed."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secrets(instance_path: Path) -> dict[str, str]:
    """Development secrets kept in one file so every process shares them.

    Created once with O_EXCL: concurrent first starts agree on the same file
    instead of each generating its own key (which would break signed cookies
    across gunicorn workers).
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "dev-secrets.json"
    if not path.exists():
        values = {
            "SECRET_KEY": secrets.token_hex(32),
            "PARTICIPANT_HMAC_KEY": secrets.token_hex(32),
        }
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                json.dump(values, fh)
    return json.loads(path.read_text())


def config_from_env(env: Mapping[str, str], instance_path: str | Path) -> dict:
    """Build the Flask config dict from environment variables."""
    instance_path = Path(instance_path)
    production = env.get("QUESTIONNAIRE_ENV", "development") == "production"
    if production:
        missing = [name for name in PRODUCTION_REQUIRED if not env.get(name)]
        if missing:
            raise SettingsError("missing required settings: " + ", ".join(missing))
        dev_secrets: dict[str, str] = {}
    else:
        dev_secrets = (
            {} if env.get("SECRET_KEY") and env.get("PARTICIPANT_HMAC_KEY")
            else _instance_secrets(instance_path)
        )

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'questionnaire.db'}"
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": env.get("SECRET_KEY") or dev_secrets["SECRET_KEY"],
        "PARTICIPANT_HMAC_KEY": env.get("PARTICIPANT_HMAC_KEY") or dev_secrets["PARTICIPANT_HMAC_KEY"],
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, env),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "REDIS_SOCKET_TIMEOUT": float(env.get("REDIS_SOCKET_TIMEOUT", "0.5")),
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 64 * 1024),
        "MAX_TEXT_ANSWER": _int(env, "MAX_TEXT_ANSWER", 500),
        # Rectification evidence files (佐证材料): the limit of one file, and of one upload request.
        # Only the evidence and item-import routes raise MAX_CONTENT_LENGTH to the request limit
        # (rectification/register.py); every other route keeps the small default above.
        "EVIDENCE_MAX_BYTES": _int(env, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024),
        "EVIDENCE_MAX_REQUEST_BYTES": _int(env, "EVIDENCE_MAX_REQUEST_BYTES", 50 * 1024 * 1024),
        # Day of the month by which a task's monthly progress report is due (spec 6.4: the 25th).
        "RECTIFICATION_REPORT_DUE_DAY": _int(env, "RECTIFICATION_REPORT_DUE_DAY", 25),
        "ENTRY_CACHE_SECONDS": _int(env, "ENTRY_CACHE_SECONDS", 5),
        "DEVICE_COOKIE_DAYS": _int(env, "DEVICE_COOKIE_DAYS", 400),
        "SESSION_COOKIE_SECURE": _bool(env, "SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": _int(env, "OFFICE_SESSION_MINUTES", 30) * 60,
        # Office passwords: werkzeug's scrypt. Deliberately not read from the environment;
        # only the test suite overrides it (create_app overrides) with a cheap method.
        "PASSWORD_HASH_METHOD": "scrypt",
        "WECHAT_APPID": env.get("WECHAT_APPID") or None,
        "WECHAT_SECRET": env.get("WECHAT_SECRET") or None,
        "WECHAT_AUTHORIZE_URL": env.get(
            "WECHAT_AUTHORIZE_URL", "https://open.weixin.qq.com/connect/oauth2/authorize"
        ),
        "WECHAT_API_BASE": env.get("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/"),
        "RQ_ASYNC": _bool(env, "RQ_ASYNC", bool(env.get("REDIS_URL"))),
        # Seconds between scheduled tally runs (`flask tallies cron`).
        "TALLY_INTERVAL_SECONDS": _int(env, "TALLY_INTERVAL_SECONDS", 2),
        # Reverse proxies in front of gunicorn whose X-Forwarded-For/-Proto to trust (0 = none).
        # Without it behind nginx every resident has the proxy's address: per-IP limits
        # become city-wide limits and the IP burst flag fires on everyone.
        "TRUSTED_PROXY_HOPS": _int(env, "TRUSTED_PROXY_HOPS", 0),
        "RATELIMIT_ENABLED": _bool(env, "RATELIMIT_ENABLED", True),
        # Per participant tight, per IP generous (village NAT): see questionnaire/intake/ratelimit.py.
        "RATELIMIT_PARTICIPANT_SUBMIT": env.get("RATELIMIT_PARTICIPANT_SUBMIT", "10 per minute;30 per hour"),
        "RATELIMIT_IP_SUBMIT": env.get("RATELIMIT_IP_SUBMIT", "600 per minute"),
        "RATELIMIT_IP_DEFAULT": env.get("RATELIMIT_IP_DEFAULT", "3000 per minute"),
    }


def engine_options(database_url: str, env: Mapping[str, str]) -> dict:
    if database_url.startswith("sqlite"):
        # Threads share the file; the busy timeout makes writers queue instead of failing.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {
        "pool_size": _int(env, "DB_POOL_SIZE", 5),
        "max_overflow": _int(env, "DB_MAX_OVERFLOW", 5),
        "pool_pre_ping": True,
        "pool_timeout": _int(env, "DB_POOL_TIMEOUT", 5),
        "connect_args": {"connect_timeout": _int(env, "DB_CONNECT_TIMEOUT", 3)},
    }
