"""config/env.example documents every setting the app and gunicorn read from the environment."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = ["questionnaire/settings.py", "questionnaire/app.py", "config/gunicorn.conf.py"]
READ = re.compile(r'(?:env|environ)\.get\(\s*"([A-Z][A-Z0-9_]*)"|_(?:int|bool)\(env, "([A-Z][A-Z0-9_]*)"')


def test_every_setting_read_from_the_environment_is_in_env_example():
    read = {a or b for path in READERS for a, b in READ.findall((ROOT / path).read_text(encoding="utf-8"))}
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / "config/env.example").read_text(encoding="utf-8"),
                                re.MULTILINE))
    assert len(read) > 30  # the pattern still finds the settings
    assert sorted(read - documented) == []
