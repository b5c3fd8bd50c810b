"""WeChat official-account identity: silent snsapi_base OAuth2, one openid = one participant.

Flow: /s/<code> without a WeChat identity in the session redirects to WeChat's
authorize page with a random `state` kept in the (signed) session; WeChat sends
the browser back to /wx/callback?code=..&state=..; the server exchanges the
code for an openid (the AppSecret never reaches the browser) and keeps only a
keyed HMAC of the openid in the session, then returns to /s/<code>.

Why these rules (see field lessons): a code is single-use, so a replayed
callback (errcode 40029/40163) restarts the redirect instead of failing, with a
loop guard; snapshot-mode users get virtual openids, which must never become a
participant key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from questionnaire.intake.submissions import Participant
from questionnaire.kernel.web.errors import error_page

log = logging.getLogger(__name__)

bp = Blueprint("wechat", __name__, url_prefix="/wx")

OAUTH_KEY = "wx_oauth"  # {"state", "entry" or "next", "restarts"} while a redirect is in flight
IDENTITY_KEY = "wx_id"  # {"appid", "pid"}: pid is an HMAC of the openid, never the openid
CODE_REPLAYED = {40029, 40163}  # invalid code / code already used
MAX_RESTARTS = 2  # replayed codes tolerated before we stop bouncing the resident around
EXCHANGE_TIMEOUT_SECONDS = 3.0


class WeChatUnavailable(Exception):
    """WeChat could not be reached or answered something we cannot use."""


def openid_pid(hmac_key: str, appid: str, openid: str) -> str:
    """Keyed HMAC of an openid; openids are per AppID, so the AppID is part of the message."""
    message = f"wechat\x1f{appid}\x1f{openid}".encode()
    return hmac.new(hmac_key.encode(), message, hashlib.sha256).hexdigest()


def session_pid() -> str | None:
    """The WeChat participant (an HMAC of the openid) this signed session holds, if WeChat is on.

    Only an identity minted for the configured AppID counts: a session left over from another
    official account (or from before WeChat was switched on) is no identity at all.
    """
    appid = current_app.config.get("WECHAT_APPID")
    if not appid:  # no official account: no session read on the submit path
        return None
    known = session.get(IDENTITY_KEY)
    if isinstance(known, dict) and known.get("appid") == appid and known.get("pid"):
        return str(known["pid"])
    return None


def wechat_participant(entry) -> Participant:
    """The WeChat participant of this browser session, or abort into WeChat's authorisation."""
    pid = session_pid()
    if pid is not None:
        return Participant("wechat", pid)
    abort(_authorize_redirect(entry.code, restarts=0))


def wechat_identity_for(return_path: str) -> Participant:
    """The WeChat participant of this session, or abort into WeChat's authorisation and come back
    to `return_path` (a same-site path: channels without an entry code, e.g. leader invitations)."""
    pid = session_pid()
    if pid is not None:
        return Participant("wechat", pid)
    abort(_authorize_redirect("", restarts=0, return_path=return_path))


def _authorize_redirect(entry_code: str, restarts: int, return_path: str | None = None):
    """Remember a fresh state for this entry (or return path) and send the browser to WeChat."""
    # WeChat allows only [a-zA-Z0-9] in state, up to 128 bytes.
    state = secrets.token_hex(16)
    session[OAUTH_KEY] = {"state": state, "entry": entry_code, "restarts": restarts}
    if return_path:
        session[OAUTH_KEY]["next"] = return_path
    config = current_app.config
    query = urllib.parse.urlencode({
        "appid": config["WECHAT_APPID"],
        "redirect_uri": config["PUBLIC_BASE_URL"] + url_for("wechat.callback"),
        "response_type": "code",
        "scope": "snsapi_base",
        "state": state,
    })
    return redirect(f"{config['WECHAT_AUTHORIZE_URL']}?{query}#wechat_redirect")


def exchange_code(code: str) -> dict:
    """Trade an OAuth code for WeChat's JSON answer (openid or errcode), server to server."""
    config = current_app.config
    query = urllib.parse.urlencode({
        "appid": config["WECHAT_APPID"], "secret": config["WECHAT_SECRET"] or "",
        "code": code, "grant_type": "authorization_code",
    })
    return fetch_json(f"{config['WECHAT_API_BASE']}/sns/oauth2/access_token?{query}")


def fetch_json(url: str) -> dict:
    """GET one of WeChat's server APIs and return its JSON object (errcode or answer)."""
    try:
        with urllib.request.urlopen(url, timeout=EXCHANGE_TIMEOUT_SECONDS) as reply:
            body = reply.read(64 * 1024)
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
        raise WeChatUnavailable(f"request failed: {exc}") from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise WeChatUnavailable("answer is not JSON") from exc
    if not isinstance(data, dict):
        raise WeChatUnavailable("answer is not a JSON object")
    return data


def _return_path(pending: dict) -> str | None:
    """Only a same-site absolute path is followed back (no open redirect)."""
    path = pending.get("next")
    if isinstance(path, str) and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None


def _unavailable_page():
    return error_page(503, "微信服务暂时无法连接", "请稍后重新扫码进入问卷，您的答卷尚未提交。")


@bp.get("/callback")
def callback():
    """WeChat's redirect back: check state, exchange the code, remember the participant."""
    if not current_app.config.get("WECHAT_APPID"):
        abort(404)
    pending = session.get(OAUTH_KEY)
    state = request.args.get("state", "")
    if (not isinstance(pending, dict) or not isinstance(pending.get("state"), str)
            or not hmac.compare_digest(state.encode(), pending["state"].encode())):
        # No state of ours: a forged or cross-site request, or a link copied from someone else.
        return error_page(400, "授权请求无效或已过期", "请关闭本页后，重新扫描二维码进入问卷。")
    code = request.args.get("code", "")
    if not code or len(code) > 512:
        return error_page(400, "未获得微信授权", "请关闭本页后，重新扫描二维码进入问卷。")
    entry_code = pending.get("entry", "")

    try:
        data = exchange_code(code)
    except WeChatUnavailable as exc:
        log.warning("wechat oauth exchange failed reason=%s", exc)
        return _unavailable_page()

    errcode = data.get("errcode")
    if errcode in CODE_REPLAYED:
        restarts = int(pending.get("restarts", 0)) + 1
        if restarts > MAX_RESTARTS:
            session.pop(OAUTH_KEY, None)
            log.warning("wechat oauth loop stopped errcode=%s restarts=%s", errcode, restarts)
            return error_page(400, "微信授权未成功", "请关闭本页后，重新扫描二维码进入问卷。")
        return _authorize_redirect(entry_code, restarts=restarts, return_path=_return_path(pending))
    if errcode:  # bad AppID/secret, rate limit, system busy: an operator problem, not the resident's
        log.error("wechat oauth errcode=%s errmsg=%s", errcode, str(data.get("errmsg"))[:200])
        return _unavailable_page()

    session.pop(OAUTH_KEY, None)
    if str(data.get("is_snapshotuser", "")) == "1":
        # Snapshot (朋友圈快照) mode hands out a virtual openid: never a participant key.
        return render_template("survey/wechat_snapshot.html"), 200
    openid = data.get("openid")
    if not isinstance(openid, str) or not openid:
        log.error("wechat oauth answer without openid keys=%s", sorted(data)[:10])
        return _unavailable_page()
    appid = current_app.config["WECHAT_APPID"]
    session[IDENTITY_KEY] = {
        "appid": appid, "pid": openid_pid(current_app.config["PARTICIPANT_HMAC_KEY"], appid, openid),
    }
    if _return_path(pending):
        return redirect(_return_path(pending))
    if not entry_code:
        return redirect(url_for("survey.index"))
    return redirect(url_for("survey.show", code=entry_code))
