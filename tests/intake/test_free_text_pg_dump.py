"""A `pg_dump` of a database where residents typed phone and ID numbers into 意见建议, one of
them opened by an admin, holds none of them readable: the answers are masked, the text as
typed is a Fernet token, the audit entry names the answer, not its text."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from questionnaire.extensions import db

pytestmark = [pytest.mark.real_only,
              pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")]

# (what the resident typed, the number in every spelling someone might grep for)
TYPED = [
    ("请联系我13812345678", "13812345678"),
    ("我的手机 139-8765-4321 晚上打", "13987654321"),
    ("座机0778-2286543", "07782286543"),
    ("办公室07712345678", "07712345678"),
    ("身份证45270119900101123X，补贴没到", "45270119900101123X"),
]


def spellings(number: str) -> set[str]:
    digits = number.rstrip("X")
    return {number, digits, f"{number[:3]}-{number[3:7]}-{number[7:]}", f"{number[:4]}-{number[4:]}",
            number[-8:], number[3:]}


def test_a_pg_dump_holds_no_readable_number_or_id_typed_into_free_text(respond, login_as, accounts):
    receipts = [respond("K1", suggestion=text) for text, _ in TYPED]
    revealed = login_as("admin").post(f"/office/responses/{receipts[0].response_id}/free-text")
    assert "13812345678" in revealed.get_data(as_text=True)  # the admin did see it
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(["pg_dump", "--no-owner", url], capture_output=True, text=True, check=True).stdout
    assert "138****5678" in dump and "gAAAAA" in dump  # masked answers and sealed originals are there
    assert "free_text_reveal" in dump
    for _, number in TYPED:
        for spelling in spellings(number):
            assert spelling not in dump, spelling
