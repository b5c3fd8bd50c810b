"""No Redis key names a resident or an office: device ids, client addresses and user names
appear in key names only as a keyed HMAC (kernel.keys.client_digest)."""

from __future__ import annotations

import uuid

import pytest
from limits.storage import MemoryStorage

from questionnaire.extensions import redis_store
from questionnaire.intake.participant import TOKEN_HEADER, request_device_id
from questionnaire.kernel import keys
from tests.factories import good_answers

# Flask-Limiter stores in memory:// on the embedded default and in the Redis server otherwise.
pytestmark = pytest.mark.both_backends

RESIDENT_ADDRESS = "203.0.113.57"
OFFICE_ADDRESS = "198.51.100.23"
GUESSED_NAME = "guessed-office-name"


def _all_key_names(app) -> list[str]:
    names = [k.decode() for k in redis_store.client(app).scan_iter(match="*")]
    storage = app.extensions["sq_limiter"].storage
    if isinstance(storage, MemoryStorage):  # memory:// (embedded) keeps its counters in a dict
        names += [str(k) for k in storage.storage]
    return names


def test_rate_limit_and_throttle_keys_hold_no_raw_identity(limited_app, campaign):
    resident = limited_app.test_client()
    code = campaign.codes["K1"]
    env = {"REMOTE_ADDR": RESIDENT_ADDRESS}
    token = resident.get(f"/api/v1/entries/{code}", environ_base=env).get_json()["participant_token"]
    with limited_app.test_request_context(headers={TOKEN_HEADER: token}):
        device_id = request_device_id()
    for _ in range(2):  # stored, then a duplicate: both count in the admission windows
        resident.post(f"/api/v1/entries/{code}/responses", headers={TOKEN_HEADER: token}, environ_base=env,
                      json={"submission_id": str(uuid.uuid4()), "answers": good_answers()})
    resident.get(f"/s/{code}", environ_base=env)  # Flask-Limiter's default limit
    office = limited_app.test_client()
    for _ in range(6):
        office.post("/office/login", data={"username": GUESSED_NAME, "password": "x" * 10},
                    environ_base={"REMOTE_ADDR": OFFICE_ADDRESS})

    names = _all_key_names(limited_app)
    assert any(":rl:participant-submit:" in n for n in names)
    assert any(":rl:ip-submit:" in n for n in names)
    assert any(":office:login-throttle:" in n for n in names)
    assert any("ip:" in n and "sq:rl" in n for n in names)  # Flask-Limiter's own counters are there too
    for raw in (device_id, RESIDENT_ADDRESS, OFFICE_ADDRESS, GUESSED_NAME, "127.0.0.1"):
        assert not [n for n in names if raw in n], raw
    digest = keys.client_digest(limited_app.config["PARTICIPANT_HMAC_KEY"], "dev:" + device_id)
    assert any(n.endswith(digest) for n in names)  # the participant's window, by its HMAC


def test_the_digest_is_keyed(app):
    one = keys.client_digest("key-one", "203.0.113.57")
    assert one == keys.client_digest("key-one", "203.0.113.57")
    assert one != keys.client_digest("key-two", "203.0.113.57")
    assert len(one) == keys.DIGEST_HEX_CHARS and "203" not in one
