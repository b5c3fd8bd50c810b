"""Office fixtures: one account per role on the small campaign (two counties, one city unit)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

PASSWORD = "correct-horse-battery"


@pytest.fixture
def accounts(campaign):
    from questionnaire.accounts.service import NewAccount, create_user
    from questionnaire.extensions import db

    def make(username, role, unit=None):
        return create_user(db.session, NewAccount(username, PASSWORD, role, unit)).id

    return SimpleNamespace(
        admin=make("admin", "admin"),
        k1=make("k1", "county", "K1"),
        k2=make("k2", "county", "K2"),
        u1=make("u1", "unit", "U1"),
        t1=make("k1t1", "unit", "K1T1"),
    )


@pytest.fixture
def shipped_password_hashing(clean_app, tmp_path):
    """Hash with the shipped setting (scrypt), not the cheap method the test app uses.

    Request it with @pytest.mark.usefixtures: those are set up before the test's arguments,
    so `accounts` are then made with it.
    """
    from questionnaire.settings import config_from_env

    test_method = clean_app.config["PASSWORD_HASH_METHOD"]
    clean_app.config["PASSWORD_HASH_METHOD"] = config_from_env({}, str(tmp_path))["PASSWORD_HASH_METHOD"]
    yield
    clean_app.config["PASSWORD_HASH_METHOD"] = test_method


def login(client, username, password=PASSWORD):
    return client.post("/office/login", data={"username": username, "password": password})


@pytest.fixture
def login_as(client, accounts):
    def do(username):
        client.post("/office/logout")
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do
