"""config/env.example documents every setting; production refuses missing, weak or development keys."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from questionnaire.settings import DEVELOPMENT_SECRETS, SettingsError, config_from_env

ROOT = Path(__file__).resolve().parents[1]
READERS = ["questionnaire/settings.py", "questionnaire/app.py", "config/gunicorn.conf.py"]
READ = re.compile(r'(?:env|environ)\.get\(\s*"([A-Z][A-Z0-9_]*)"|_(?:int|bool)\(env, "([A-Z][A-Z0-9_]*)"')


def test_every_setting_read_from_the_environment_is_in_env_example():
    read = {a or b for path in READERS for a, b in READ.findall((ROOT / path).read_text(encoding="utf-8"))}
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / "config/env.example").read_text(encoding="utf-8"),
                                re.MULTILINE))
    assert len(read) > 30  # the pattern still finds the settings
    assert sorted(read - documented) == []


def _production(**overrides):
    env = {
        "QUESTIONNAIRE_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "PARTICIPANT_HMAC_KEY": secrets.token_hex(32),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgresql://app@db/questionnaire",
        "REDIS_URL": "redis://cache/0",
    }
    env.update(overrides)
    return env


def test_production_starts_with_strong_keys_and_requires_totp_of_admin_and_county(tmp_path):
    config = config_from_env(_production(), str(tmp_path))
    assert config["REQUIRE_TOTP_FOR_ROLES"] == ("admin", "county")


@pytest.mark.parametrize("name", ["SECRET_KEY", "PARTICIPANT_HMAC_KEY"])
@pytest.mark.parametrize("value, reason", [
    ("short-but-random-Zq81", "too weak"),
    ("a" * 64, "too weak"),                        # long, but one character
    ("test-secret-key", "development default"),  # the test suite's own value
    ("test-participant-hmac-key", "development default"),
    ("bench-participant-hmac-key", "development default"),
    ("CHANGEME", "development default"),
])
def test_production_refuses_weak_or_development_keys(tmp_path, name, value, reason):
    with pytest.raises(SettingsError, match=reason):
        config_from_env(_production(**{name: value}), str(tmp_path))


def test_production_refuses_one_key_for_two_purposes_and_a_bad_encryption_key(tmp_path):
    key = secrets.token_hex(32)
    with pytest.raises(SettingsError, match="different"):
        config_from_env(_production(SECRET_KEY=key, PARTICIPANT_HMAC_KEY=key), str(tmp_path))
    with pytest.raises(SettingsError, match="Fernet"):
        config_from_env(_production(FIELD_ENCRYPTION_KEY="not-a-fernet-key"), str(tmp_path))
    with pytest.raises(SettingsError, match="FIELD_ENCRYPTION_KEY"):
        config_from_env(_production(FIELD_ENCRYPTION_KEY=""), str(tmp_path))


def test_the_repositorys_own_keys_are_all_refused_in_production(tmp_path):
    """Every key literal the repository uses for tests, faults and benchmarks is in the deny list."""
    literals = set()
    for path in [*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/*.py")]:
        literals |= set(re.findall(r'"([a-z-]*(?:secret|hmac)[a-z-]*key)"', path.read_text(encoding="utf-8")))
    assert literals and literals <= DEVELOPMENT_SECRETS, sorted(literals - DEVELOPMENT_SECRETS)
