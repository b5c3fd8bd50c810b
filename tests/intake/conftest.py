"""A fake WeChat API on a real loopback port, and an app configured for WeChat OAuth.

The fake is a real HTTP server (not a mock of urllib), so the test also proves
the timeout, URL building and JSON handling of the exchange.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import make_test_app, reset_data

APPID = "wx-test-appid"
SECRET = "test-app-secret-never-in-browser"


class FakeWeChat:
    """Maps an OAuth code to the JSON WeChat would answer; records every request."""

    def __init__(self):
        self.answers: dict[str, dict] = {}
        self.requests: list[dict] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                fake.requests.append({"path": url.path, **query})
                if url.path != "/sns/oauth2/access_token":
                    body, status = {"errcode": 40001, "errmsg": "unknown path"}, 404
                elif query.get("appid") != APPID or query.get("secret") != SECRET:
                    body, status = {"errcode": 40125, "errmsg": "invalid appsecret"}, 200
                else:
                    body = fake.answers.get(query.get("code"), {"errcode": 40029, "errmsg": "invalid code"})
                    status = 200
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep pytest output clean
                pass

        return Handler

    def grant(self, code: str, openid: str, **extra) -> None:
        """WeChat will answer this code with this openid (as the real API does)."""
        self.answers[code] = {"access_token": "AT-" + code, "expires_in": 7200, "refresh_token": "RT",
                              "openid": openid, "scope": "snsapi_base", **extra}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def fake_wechat():
    fake = FakeWeChat()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def wechat_app_session(app, fake_wechat):
    """Same database as the shared `app` (whose fixture ran the migrations), WeChat turned on."""
    from questionnaire.extensions import db

    wx_app = make_test_app(
        "embedded" if app.config["REDIS_URL"] is None else "postgres", app.instance_path,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_API_BASE=fake_wechat.base_url,
        WECHAT_AUTHORIZE_URL="https://open.weixin.qq.com/connect/oauth2/authorize",
    )
    yield wx_app
    with wx_app.app_context():
        db.engine.dispose()


@pytest.fixture
def wechat_app(wechat_app_session, fake_wechat):
    reset_data(wechat_app_session)
    fake_wechat.answers.clear()
    fake_wechat.requests.clear()
    with wechat_app_session.app_context():
        yield wechat_app_session


@pytest.fixture
def wx_campaign(wechat_app):
    from tests.factories import import_small_campaign

    return import_small_campaign()
