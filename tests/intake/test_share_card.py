"""The share card of a forwarded link: the server signs the JS-SDK config with a jsapi_ticket
fetched from WeChat (here the fake WeChat server) and kept in Redis until shortly before it expires."""

import hashlib

import pytest

from questionnaire.extensions import redis_store
from questionnaire.intake.wechat_jsapi import EXPIRY_MARGIN_SECONDS, jsapi_signature
from questionnaire.kernel import keys
from tests.intake.conftest import APPID, SECRET
from tests.intake.test_wechat_oauth import sign_in

# The Redis cache and its expiry.
pytestmark = pytest.mark.both_backends


def page_url(code: str, query: str = "") -> str:
    return f"http://survey.test/s/{code}{query}"


def share(client, code, url):
    return client.get(f"/s/{code}/share", query_string={"url": url})


def documented_signature(ticket: str, card: dict, url: str) -> str:
    """WeChat's algorithm written out: SHA-1 over the four fields in this order."""
    plain = f"jsapi_ticket={ticket}&noncestr={card['nonceStr']}&timestamp={card['timestamp']}&url={url}"
    return hashlib.sha1(plain.encode()).hexdigest()


def js_sdk_calls(fake) -> list[str]:
    return [r["path"] for r in fake.requests if r["path"].startswith("/cgi-bin/")]


def test_wechats_documented_example_signs_to_its_documented_signature():
    ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    signature = jsapi_signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value#x")
    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_the_page_gets_a_config_signed_for_its_own_url(wechat_app, wx_campaign, fake_wechat):
    code = wx_campaign.codes["K1T1"]
    url = page_url(code, "?from=groupmessage&isappinstalled=0")  # as WeChat forwards a link
    reply = share(wechat_app.test_client(), code, url + "#wechat_redirect")
    assert reply.status_code == 200
    card = reply.get_json()
    assert card["signature"] == documented_signature("JSAPI-TICKET-1", card, url)
    assert card["appId"] == APPID and SECRET not in str(card) and "ACCESS-TOKEN" not in str(card)
    assert card["title"] == "2026年度测试市社会评价"
    assert "甲县" in card["desc"] and "主办单位：测试市绩效评估工作领导小组办公室" in card["desc"]
    assert card["link"] == page_url(code) and card["imgUrl"] == "http://survey.test/static/img/share.png"
    token_request = next(r for r in fake_wechat.requests if r["path"] == "/cgi-bin/token")
    assert token_request == {"path": "/cgi-bin/token", "grant_type": "client_credential",
                             "appid": APPID, "secret": SECRET}


def test_the_ticket_is_fetched_once_and_kept_in_redis_until_shortly_before_it_expires(
        wechat_app, wx_campaign, fake_wechat):
    code = wx_campaign.codes["K1"]
    client = wechat_app.test_client()
    for _ in range(5):
        assert share(client, code, page_url(code)).status_code == 200
    assert js_sdk_calls(fake_wechat) == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"]
    store = redis_store.client(wechat_app)
    ttl = store.ttl(keys.wechat_jsapi_ticket(APPID))
    assert 7200 - EXPIRY_MARGIN_SECONDS - 5 <= ttl <= 7200 - EXPIRY_MARGIN_SECONDS

    store.delete(keys.wechat_jsapi_ticket(APPID))  # expired: a new ticket with the kept token
    fake_wechat.ticket = "JSAPI-TICKET-2"
    card = share(client, code, page_url(code)).get_json()
    assert card["signature"] == documented_signature("JSAPI-TICKET-2", card, page_url(code))
    assert js_sdk_calls(fake_wechat)[2:] == ["/cgi-bin/ticket/getticket"]


def test_a_retired_access_token_is_replaced_once(wechat_app, wx_campaign, fake_wechat):
    code = wx_campaign.codes["K1"]
    redis_store.client(wechat_app).set(keys.wechat_access_token(APPID), "OLD-TOKEN", ex=3600)
    fake_wechat.retired_tokens.add("OLD-TOKEN")
    assert share(wechat_app.test_client(), code, page_url(code)).status_code == 200
    assert js_sdk_calls(fake_wechat) == ["/cgi-bin/ticket/getticket", "/cgi-bin/token", "/cgi-bin/ticket/getticket"]
    assert redis_store.client(wechat_app).get(keys.wechat_access_token(APPID)) == b"ACCESS-TOKEN-1"


@pytest.mark.parametrize("url", [
    "https://evil.example/s/{code}", "http://survey.test/s/{code}x", "http://survey.test/s/other",
    "http://survey.test/s/{code}?" + "a" * 1100, "",
])
def test_only_the_entrys_own_page_is_signed(wechat_app, wx_campaign, fake_wechat, url):
    code = wx_campaign.codes["K1"]
    reply = share(wechat_app.test_client(), code, url.format(code=code))
    assert reply.status_code == 400 and reply.get_json()["error"]["code"] == "bad_url"
    assert js_sdk_calls(fake_wechat) == []


def test_wechat_unreachable_is_a_503_json_error(wechat_app, wx_campaign, fake_wechat):
    wechat_app.config["WECHAT_API_BASE"], base = "http://127.0.0.1:1", wechat_app.config["WECHAT_API_BASE"]
    try:
        code = wx_campaign.codes["K1"]
        reply = share(wechat_app.test_client(), code, page_url(code))
        assert reply.status_code == 503 and reply.get_json()["error"]["message"] == "微信服务暂时无法连接"
    finally:
        wechat_app.config["WECHAT_API_BASE"] = base


def test_without_an_official_account_there_is_no_share_card(client, campaign):
    code = campaign.codes["K1"]
    assert share(client, code, page_url(code)).status_code == 404
    assert "data-share" not in client.get(f"/s/{code}").get_data(as_text=True)


def test_the_form_names_its_share_endpoint_inside_wechat(wechat_app, wx_campaign, fake_wechat):
    client = wechat_app.test_client()
    code = wx_campaign.codes["K1"]
    sign_in(client, code, "code-share", fake_wechat)
    html = client.get(f"/s/{code}").get_data(as_text=True)
    assert f'data-share="/s/{code}/share"' in html
