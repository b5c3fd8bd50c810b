"""WeChat JS-SDK signing for the share card: access_token -> jsapi_ticket -> config signature.

Both tokens live about two hours and WeChat limits how often they may be fetched (and a new
access_token retires the old one), so each is kept in Redis until shortly before it expires,
shared by every worker, and fetched by one worker at a time (a short Redis lock). The AppSecret
and the tokens never reach the browser; the page gets only the signature of its own URL.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import urllib.parse

import redis

from questionnaire.intake.wechat import WeChatUnavailable, fetch_json
from questionnaire.kernel import keys

log = logging.getLogger(__name__)

EXPIRY_MARGIN_SECONDS = 300  # refresh five minutes before WeChat's own expiry
LOCK_SECONDS = 10
WAIT_FOR_OTHER_WORKER_SECONDS = 3.0
TOKEN_REJECTED = {40001, 40014, 42001}  # invalid / malformed / expired access_token


def jsapi_signature(ticket: str, nonce: str, timestamp: int, url: str) -> str:
    """SHA-1 of the four fields in WeChat's fixed order, the URL without its #fragment."""
    url = url.split("#", 1)[0]
    plain = f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(plain.encode()).hexdigest()  # noqa: S324 - WeChat's algorithm, not our choice


class JsapiTickets:
    """The official account's jsapi_ticket, cached in Redis with its expiry."""

    def __init__(self, redis_client: redis.Redis, appid: str, secret: str, api_base: str):
        self.redis, self.appid, self.secret, self.api_base = redis_client, appid, secret, api_base

    def ticket(self) -> str:
        """A valid jsapi_ticket, or raise WeChatUnavailable."""
        cached = self._get(keys.wechat_jsapi_ticket(self.appid))
        if cached:
            return cached
        if not self._lock():
            waited = self._wait_for(keys.wechat_jsapi_ticket(self.appid))
            if waited:
                return waited
        try:
            return self._fetch_ticket()
        finally:
            self._unlock()

    def _fetch_ticket(self) -> str:
        for attempt in (1, 2):
            token = self._access_token(fresh=attempt == 2)
            query = urllib.parse.urlencode({"access_token": token, "type": "jsapi"})
            data = fetch_json(f"{self.api_base}/cgi-bin/ticket/getticket?{query}")
            if data.get("errcode") in TOKEN_REJECTED and attempt == 1:
                continue  # the cached access_token was retired (a fetch elsewhere): one fresh try
            ticket = data.get("ticket")
            if data.get("errcode") not in (0, None) or not isinstance(ticket, str) or not ticket:
                log.error("wechat getticket errcode=%s errmsg=%s", data.get("errcode"), str(data.get("errmsg"))[:200])
                raise WeChatUnavailable("no jsapi_ticket")
            self._put(keys.wechat_jsapi_ticket(self.appid), ticket, data.get("expires_in"))
            return ticket
        raise WeChatUnavailable("access_token rejected twice")

    def _access_token(self, fresh: bool) -> str:
        key = keys.wechat_access_token(self.appid)
        if not fresh:
            cached = self._get(key)
            if cached:
                return cached
        query = urllib.parse.urlencode({"grant_type": "client_credential", "appid": self.appid,
                                        "secret": self.secret})
        data = fetch_json(f"{self.api_base}/cgi-bin/token?{query}")
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            log.error("wechat token errcode=%s errmsg=%s", data.get("errcode"), str(data.get("errmsg"))[:200])
            raise WeChatUnavailable("no access_token")
        self._put(key, token, data.get("expires_in"))
        return token

    # -- Redis (a Redis outage costs a fetch per page view, never the page) ------------------

    def _get(self, key: str) -> str | None:
        try:
            value = self.redis.get(key)
        except redis.RedisError:
            return None
        return value.decode() if isinstance(value, bytes) else value

    def _put(self, key: str, value: str, expires_in) -> None:
        seconds = expires_in if isinstance(expires_in, int) and not isinstance(expires_in, bool) else 7200
        try:
            self.redis.set(key, value, ex=max(seconds - EXPIRY_MARGIN_SECONDS, 60))
        except redis.RedisError:
            pass

    def _lock(self) -> bool:
        try:
            return bool(self.redis.set(keys.lock(f"wx-ticket:{self.appid}"), "1", nx=True, ex=LOCK_SECONDS))
        except redis.RedisError:
            return True  # no Redis, no coordination: fetch

    def _unlock(self) -> None:
        try:
            self.redis.delete(keys.lock(f"wx-ticket:{self.appid}"))
        except redis.RedisError:
            pass

    def _wait_for(self, key: str) -> str | None:
        deadline = time.monotonic() + WAIT_FOR_OTHER_WORKER_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.1)
            value = self._get(key)
            if value:
                return value
        return None


def share_config(tickets: JsapiTickets, url: str, now: float | None = None) -> dict:
    """What a page passes to WeChat's preVerifyJSAPI for `url` (its address without #fragment)."""
    nonce = secrets.token_urlsafe(12)
    timestamp = int(now if now is not None else time.time())
    return {"appId": tickets.appid, "timestamp": timestamp, "nonceStr": nonce,
            "signature": jsapi_signature(tickets.ticket(), nonce, timestamp, url)}
