"""Environment -> typed Flask configuration.

Everything has a safe default for the embedded mode (SQLite file + in-process
Redis stand-in). With QUESTIONNAIRE_ENV=production the secrets and the real
servers are required, and start-up fails fast when one is missing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet

# Redis: REDIS_URL or REDIS_SENTINELS (redis_configured), checked on its own.
PRODUCTION_REQUIRED = ("SECRET_KEY", "PARTICIPANT_HMAC_KEY", "FIELD_ENCRYPTION_KEY", "DATABASE_URL")
# Keys that sign sessions or key the HMACs of residents' identities: refused in production when
# shorter than this many bytes, or when one of the values the repository itself uses.
MIN_SECRET_BYTES = 32
PRODUCTION_KEYS = ("SECRET_KEY", "PARTICIPANT_HMAC_KEY")
DEVELOPMENT_SECRETS = frozenset({
    "test-secret-key", "test-participant-hmac-key",  # tests/conftest.py
    "fault-test-secret-key", "fault-test-participant-hmac-key",  # tests/faults/servers.py
    "bench-secret-key", "bench-participant-hmac-key",  # bench/load_support.py
    "dev", "development", "secret", "changeme", "change-me", "please-change-me",
})
# Roles whose office accounts must enrol a TOTP second factor (MLPS level 3 asks it of administrators).
PRODUCTION_TOTP_ROLES = "admin,county"


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


def _roles(env: Mapping[str, str], name: str, default: str) -> tuple[str, ...]:
    raw = env.get(name, default)
    roles = tuple(r.strip() for r in raw.split(",") if r.strip())
    unknown = sorted(set(roles) - {"admin", "county", "unit"})
    if unknown:
        raise SettingsError(f"{name}: unknown roles {', '.join(unknown)} (admin, county, unit)")
    return roles


def _development_field_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY, development only (production must set its own)."""
    digest = hashlib.sha256(b"field-encryption\x1f" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def check_production_secrets(env: Mapping[str, str]) -> None:
    """Refuse to start production with weak keys or the repository's own development values."""
    for name in PRODUCTION_KEYS:
        value = env[name]
        if value.strip().lower() in DEVELOPMENT_SECRETS:
            raise SettingsError(f"{name} is a development default; generate one (python -m secrets)")
        if len(value.encode()) < MIN_SECRET_BYTES or len(set(value)) < 8:
            raise SettingsError(f"{name} is too weak: at least {MIN_SECRET_BYTES} random bytes "
                                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
    if env["SECRET_KEY"] == env["PARTICIPANT_HMAC_KEY"]:
        raise SettingsError("SECRET_KEY and PARTICIPANT_HMAC_KEY must be different keys")
    try:
        Fernet(env["FIELD_ENCRYPTION_KEY"].encode())
    except ValueError:
        raise SettingsError("FIELD_ENCRYPTION_KEY must be a Fernet key (python -c 'from cryptography.fernet "
                            "import Fernet; print(Fernet.generate_key().decode())')") from None


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used.

    A libpq multi-host URI (`postgresql://u@pg1:5432,pg2:5432/db?target_session_attrs=read-write`,
    what Patroni's documentation gives clients) becomes SQLAlchemy's spelling of the same thing
    (`...@/db?host=pg1:5432&host=pg2:5432&...`), which its psycopg dialect hands back to libpq as
    one conninfo: libpq tries the hosts in turn and keeps the one that accepts writes.
    """
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
            break
    else:
        return url
    rest = url[len("postgresql+psycopg://"):]
    netloc, slash, tail = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    if "," not in hosts:
        return url
    path, question, query = tail.partition("?")
    host_params = "&".join(f"host={h}" for h in hosts.split(",") if h)
    query = host_params + ("&" + query if query else "")
    return f"postgresql+psycopg://{userinfo}{at}/{path}?{query}"


def redis_configured(config: Mapping) -> bool:
    """A real Redis (one server, or a Sentinel-managed master) rather than the in-process stand-in."""
    return bool(config.get("REDIS_URL") or config.get("REDIS_SENTINELS"))


def _sentinels(env: Mapping[str, str]) -> tuple[tuple[str, int], ...]:
    """REDIS_SENTINELS="host:port,host:port,..." -> ((host, port), ...)."""
    found = []
    for item in (env.get("REDIS_SENTINELS") or "").replace(" ", "").split(","):
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise SettingsError(f"REDIS_SENTINELS must be host:port pairs joined by commas, got {item!r}")
        found.append((host.strip("[]"), int(port)))
    return tuple(found)


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
        if not redis_configured(env):
            missing.append("REDIS_URL (or REDIS_SENTINELS)")
        if missing:
            raise SettingsError("missing required settings: " + ", ".join(missing))
        check_production_secrets(env)
        dev_secrets: dict[str, str] = {}
    else:
        dev_secrets = (
            {} if env.get("SECRET_KEY") and env.get("PARTICIPANT_HMAC_KEY")
            else _instance_secrets(instance_path)
        )

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'questionnaire.db'}"
    secret_key = env.get("SECRET_KEY") or dev_secrets["SECRET_KEY"]
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": secret_key,
        "PARTICIPANT_HMAC_KEY": env.get("PARTICIPANT_HMAC_KEY") or dev_secrets["PARTICIPANT_HMAC_KEY"],
        "FIELD_ENCRYPTION_KEY": env.get("FIELD_ENCRYPTION_KEY") or _development_field_key(secret_key),
        # Office roles that must enrol a TOTP second factor before they reach any office page.
        "REQUIRE_TOTP_FOR_ROLES": _roles(env, "REQUIRE_TOTP_FOR_ROLES", PRODUCTION_TOTP_ROLES if production else ""),
        # Issuer shown next to the account in the authenticator app.
        "TOTP_ISSUER": env.get("TOTP_ISSUER", "社会评价调查"),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, env),
        # An optional replica (or a load balancer port in front of the replicas) for the dashboard
        # and exports; their "数据截至" then shows the replica's replay lag. Unset: the primary.
        "READ_DATABASE_URL": normalise_database_url(env["READ_DATABASE_URL"]) if env.get("READ_DATABASE_URL") else None,
        "REDIS_URL": env.get("REDIS_URL") or None,
        # Redis Sentinel: the master of REDIS_SENTINEL_SERVICE, found through these sentinels, replaces
        # REDIS_URL; every client follows a failover by itself (extensions.build_redis).
        "REDIS_SENTINELS": _sentinels(env),
        "REDIS_SENTINEL_SERVICE": env.get("REDIS_SENTINEL_SERVICE") or "questionnaire",
        "REDIS_DB": _int(env, "REDIS_DB", 0),
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
        "RQ_ASYNC": _bool(env, "RQ_ASYNC", redis_configured(env)),
        # Where export files are written and read back for download. One node: instance/exports.
        # Several nodes: a directory every web node and every worker mounts (README, "Running as a
        # cluster"): the worker that built a file and the web node that serves it are rarely the same.
        "EXPORT_DIR": env.get("EXPORT_DIR") or str(instance_path / "exports"),
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
