"""Whose address the limiter and the burst flag see: behind a proxy, and with IPv6."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import good_answers


@pytest.fixture
def proxied_app(app, clean_app, backend, tmp_path):
    """Rate limits on, one trusted reverse proxy (nginx) in front of gunicorn."""
    from questionnaire.extensions import db
    from tests.conftest import make_test_app

    proxied = make_test_app(backend, str(tmp_path), SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                            TRUSTED_PROXY_HOPS=1, RATELIMIT_ENABLED=True, RATELIMIT_IP_SUBMIT="3 per minute")
    proxied.extensions["redis"] = app.extensions["redis"]
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def anonymous_submit(client, code, forwarded_for):
    return client.post(f"/api/v1/entries/{code}/responses", headers={"X-Forwarded-For": forwarded_for},
                       json={"submission_id": str(uuid.uuid4()), "answers": good_answers()})


def test_behind_a_trusted_proxy_each_resident_address_has_its_own_ip_limit(proxied_app, campaign):
    client = proxied_app.test_client(use_cookies=False)
    code = campaign.codes["K1"]
    first = [anonymous_submit(client, code, "203.0.113.7").status_code for _ in range(4)]
    other = anonymous_submit(client, code, "198.51.100.9").status_code
    assert first == [201, 201, 201, 429]
    assert other == 201  # the proxy's own address is not what gets limited


def test_behind_a_trusted_proxy_the_stored_ip_hash_is_the_residents(proxied_app, campaign):
    from sqlalchemy import select

    from questionnaire.extensions import db
    from questionnaire.intake.models import Response

    client = proxied_app.test_client(use_cookies=False)
    anonymous_submit(client, campaign.codes["K1"], "203.0.113.7")
    anonymous_submit(client, campaign.codes["K1"], "198.51.100.9")
    with proxied_app.app_context():
        hashes = set(db.session.scalars(select(Response.ip_hash)))
    assert len(hashes) == 2


@pytest.mark.parametrize("remote, key", [
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),   # same subscriber, rotated address
    ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
    ("203.0.113.7", "203.0.113.7"),
    ("::ffff:203.0.113.7", "203.0.113.7"),             # IPv4-mapped is the IPv4 client
    ("not-an-ip", "not-an-ip"),
])
def test_the_limiter_keys_ipv6_clients_by_their_64(app, remote, key):
    from questionnaire.intake.ratelimit import client_ip

    with app.test_request_context("/", environ_base={"REMOTE_ADDR": remote}):
        assert client_ip() == key
