"""Residents inside WeChat are identified by their openid (silent snsapi_base OAuth).

Runs against a fake WeChat API on a loopback port; the authorize step (a page
on open.weixin.qq.com) is played by the test, which follows WeChat's redirect
back to /wx/callback with a code, exactly as the WeChat browser would.
"""

import re
import urllib.parse

from sqlalchemy import inspect, select, text

from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import Response
from tests.intake.conftest import APPID, SECRET

OPENID = "oABCD1234-real-openid_xyz"
ANSWERS = {"gov": "5", "security": "4", "transport": "dk"}


def authorize_query(response) -> dict:
    """The query WeChat's authorize page receives (the fragment is #wechat_redirect)."""
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?")
    assert location.endswith("#wechat_redirect")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def sign_in(client, entry_code, wechat_code, fake, openid=OPENID):
    """Open the entry, 'authorise' at WeChat, come back through the callback."""
    query = authorize_query(client.get(f"/s/{entry_code}"))
    fake.grant(wechat_code, openid)
    back = client.get("/wx/callback", query_string={"code": wechat_code, "state": query["state"]})
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/s/{entry_code}")
    return back


def answer(client, entry_code):
    page = client.get(f"/s/{entry_code}")
    assert page.status_code == 200 and "提交答卷" in page.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(f"/s/{entry_code}", data={"token": token, **ANSWERS})


def test_opening_an_entry_redirects_to_wechat_authorisation_with_a_state(wechat_app, wx_campaign):
    client = wechat_app.test_client()
    query = authorize_query(client.get(f"/s/{wx_campaign.codes['K1']}"))
    assert query["appid"] == APPID and query["scope"] == "snsapi_base"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "http://survey.test/wx/callback"
    assert re.fullmatch(r"[0-9a-f]{32}", query["state"])
    assert SECRET not in client.get(f"/s/{wx_campaign.codes['K1']}").headers["Location"]


def test_the_callback_stores_an_answer_keyed_by_the_openid(wechat_app, wx_campaign, fake_wechat):
    client = wechat_app.test_client()
    code = wx_campaign.codes["K1T1"]
    sign_in(client, code, "CODE-1", fake_wechat)
    done = answer(client, code)
    assert done.status_code == 200 and "提交成功" in done.get_data(as_text=True)
    row = db.session.scalars(select(Response)).one()
    assert row.identity_kind == "wechat" and row.answers == ANSWERS
    # The exchange happened server to server, with the secret, for the code WeChat gave us.
    exchange = fake_wechat.requests[-1]
    assert exchange["code"] == "CODE-1" and exchange["secret"] == SECRET
    assert exchange["grant_type"] == "authorization_code"


def test_the_same_openid_in_a_second_browser_session_is_refused(wechat_app, wx_campaign, fake_wechat):
    code = wx_campaign.codes["K1"]
    first = wechat_app.test_client()
    sign_in(first, code, "CODE-A", fake_wechat)
    assert answer(first, code).status_code == 200

    # Same person, cache and cookies cleared (a new session), via another township's poster.
    second = wechat_app.test_client()
    other = wx_campaign.codes["K1T2"]
    sign_in(second, other, "CODE-B", fake_wechat)
    page = second.get(f"/s/{other}")
    assert "您已参与过本次调查" in page.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 1


def test_a_different_openid_can_answer(wechat_app, wx_campaign, fake_wechat):
    code = wx_campaign.codes["K1"]
    for n, openid in enumerate(("openid-one", "openid-two")):
        client = wechat_app.test_client()
        sign_in(client, code, f"CODE-{n}", fake_wechat, openid=openid)
        assert answer(client, code).status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 2


def test_a_replayed_code_restarts_the_authorisation_then_stops_looping(wechat_app, wx_campaign, fake_wechat):
    client = wechat_app.test_client()
    entry_code = wx_campaign.codes["K1"]
    state = authorize_query(client.get(f"/s/{entry_code}"))["state"]
    # The fake answers 40029 (invalid or used code) for any code it did not grant.
    for _ in range(2):
        restart = client.get("/wx/callback", query_string={"code": "USED", "state": state})
        new_state = authorize_query(restart)["state"]
        assert new_state != state
        state = new_state
    stop = client.get("/wx/callback", query_string={"code": "USED", "state": state})
    assert stop.status_code == 400
    assert "微信授权未成功" in stop.get_data(as_text=True)


def test_a_replayed_code_then_a_fresh_code_signs_the_resident_in(wechat_app, wx_campaign, fake_wechat):
    client = wechat_app.test_client()
    entry_code = wx_campaign.codes["K1"]
    state = authorize_query(client.get(f"/s/{entry_code}"))["state"]
    fake_wechat.answers["USED"] = {"errcode": 40163, "errmsg": "code been used"}
    state = authorize_query(client.get("/wx/callback", query_string={"code": "USED", "state": state}))["state"]
    fake_wechat.grant("FRESH", OPENID)
    back = client.get("/wx/callback", query_string={"code": "FRESH", "state": state})
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/s/{entry_code}")
    assert answer(client, entry_code).status_code == 200


def test_a_snapshot_user_is_asked_to_use_the_full_service(wechat_app, wx_campaign, fake_wechat):
    client = wechat_app.test_client()
    entry_code = wx_campaign.codes["K1"]
    state = authorize_query(client.get(f"/s/{entry_code}"))["state"]
    fake_wechat.grant("SNAP", "virtual-openid", is_snapshotuser=1)
    page = client.get("/wx/callback", query_string={"code": "SNAP", "state": state})
    assert page.status_code == 200 and "使用完整服务" in page.get_data(as_text=True)
    # No participant was created: the entry still asks WeChat for a real identity.
    authorize_query(client.get(f"/s/{entry_code}"))
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 0


def test_a_forged_or_missing_state_is_refused(wechat_app, wx_campaign, fake_wechat):
    client = wechat_app.test_client()
    client.get(f"/s/{wx_campaign.codes['K1']}")
    fake_wechat.grant("CODE-X", OPENID)
    forged = client.get("/wx/callback", query_string={"code": "CODE-X", "state": "0" * 32})
    assert forged.status_code == 400 and "授权请求无效" in forged.get_data(as_text=True)
    # A victim's browser that never started the flow: no state in its session at all.
    stranger = wechat_app.test_client().get("/wx/callback", query_string={"code": "CODE-X", "state": "abc"})
    assert stranger.status_code == 400
    assert not fake_wechat.requests, "no code may be exchanged without a matching state"


def test_wechat_unreachable_shows_a_chinese_503_page(wechat_app, wx_campaign, monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setitem(wechat_app.config, "WECHAT_API_BASE", closed)
    client = wechat_app.test_client()
    state = authorize_query(client.get(f"/s/{wx_campaign.codes['K1']}"))["state"]
    page = client.get("/wx/callback", query_string={"code": "ANY", "state": state})
    assert page.status_code == 503 and "微信服务暂时无法连接" in page.get_data(as_text=True)


def test_a_wrong_app_secret_is_an_operator_problem_not_a_500(wechat_app, wx_campaign, monkeypatch):
    monkeypatch.setitem(wechat_app.config, "WECHAT_SECRET", "wrong")
    client = wechat_app.test_client()
    state = authorize_query(client.get(f"/s/{wx_campaign.codes['K1']}"))["state"]
    assert client.get("/wx/callback", query_string={"code": "ANY", "state": state}).status_code == 503


def test_the_openid_is_never_stored_only_its_hmac(wechat_app, wx_campaign, fake_wechat):
    client = wechat_app.test_client()
    code = wx_campaign.codes["K1"]
    sign_in(client, code, "CODE-1", fake_wechat)
    assert answer(client, code).status_code == 200

    # Every column of every table, as text.
    dump = []
    with db.engine.connect() as conn:
        for table in inspect(db.engine).get_table_names():
            dump += [str(row) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    assert dump and OPENID not in "\n".join(dump)
    # Nor in Redis, nor in the (signed, readable) session cookie.
    redis = redis_store.client(wechat_app)
    assert all(OPENID.encode() not in key for key in redis.keys("*"))
    cookie = client.get_cookie("session").value
    session = wechat_app.session_interface.get_signing_serializer(wechat_app).loads(cookie)
    assert OPENID not in str(session) and len(session["wx_id"]["pid"]) == 64


def test_without_a_wechat_account_configured_the_callback_does_not_exist(client):
    assert client.get("/wx/callback", query_string={"code": "x", "state": "y"}).status_code == 404
