"""Rate limits that stop one abusive client without refusing a village behind one NAT.

Policy (all limits are settings, see config/env.example):
- Submissions are limited mainly per *participant* (WeChat identity from the
  signed session, API participant token or signed device cookie): a real person submits once and
  perhaps retries a few times, so RATELIMIT_PARTICIPANT_SUBMIT is tight.
- Per *IP* limits are generous: hundreds of residents of one village committee
  or one carrier NAT share an address. RATELIMIT_IP_SUBMIT allows a whole
  village answering at a meeting; RATELIMIT_IP_DEFAULT only stops floods.
- A client that sends no identity (or a forged one) gets a fresh participant
  key each time, so the per-IP limit is the backstop against rotating identities;
  duplicates themselves are refused by the dedup path, not by rate limits.
- Storage is Redis when REDIS_URL is set (the in-memory store would be per
  gunicorn worker, multiplying every limit); memory in the embedded mode.
- When the limit store is down the limiter fails open (swallows its errors):
  a Redis outage must not turn into refused residents or a 500.

A breach is a 429: JSON under /api, the Chinese error page elsewhere (see
blueprints/errors.py, which handles every HTTPException).
"""

from __future__ import annotations

import ipaddress

from flask import Flask, current_app, request, session
from flask_limiter import Limiter

from questionnaire.web.participant import DEVICE_COOKIE, TOKEN_HEADER, device_token_value

# Endpoints that store a response: the expensive, abusable path.
SUBMIT_ENDPOINTS = ("survey.submit", "api.submit")


def client_ip() -> str:
    """The limiter's key for a client address: IPv4 as is, IPv6 by its /64.

    One IPv6 subscriber gets a whole /64 and can rotate addresses inside it at will; a
    carrier NAT's IPv4 address is shared by many people, which the generous per-IP
    limit allows for. Behind a reverse proxy TRUSTED_PROXY_HOPS makes this the real client.
    """
    addr = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def _device_id() -> str | None:
    return device_token_value(request.headers.get(TOKEN_HEADER)) or device_token_value(
        request.cookies.get(DEVICE_COOKIE)
    )


def _wechat_pid() -> str | None:
    """The WeChat participant (an HMAC of the openid) held by this signed session, if WeChat is on."""
    appid = current_app.config.get("WECHAT_APPID")
    if not appid:
        return None
    from questionnaire.web.wechat import IDENTITY_KEY

    known = session.get(IDENTITY_KEY)
    if isinstance(known, dict) and known.get("appid") == appid and known.get("pid"):
        return str(known["pid"])
    return None


def _identity() -> str | None:
    # With a WeChat account the form never sets a device cookie, so the WeChat identity must be
    # read here too, or WeChat residents would only ever meet the generous per-IP limit.
    pid = _wechat_pid()
    if pid:
        return "wx:" + pid
    device = _device_id()
    return "dev:" + device if device else None


def participant_key() -> str:
    """The verified identity the request carries (the limit is exempt when it carries none)."""
    return _identity() or "none"


def _no_identity() -> bool:
    # A cookieless resident (WeChat dropped the cookie) must not share one tight bucket with the
    # whole village: without an identity only the generous per-IP limit applies.
    return _identity() is None


def _setting(name: str):
    return lambda: current_app.config[name]


def init_app(app: Flask) -> Limiter:
    """Build this app's limiter and attach the submission limits (after blueprints exist)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    timeout = app.config.get("REDIS_SOCKET_TIMEOUT", 0.5)
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        )
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "sq:rl")
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Fixed window: one Redis round trip per limit (moving-window's Lua list scan measured ~5x dearer).
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    app.config.setdefault("RATELIMIT_PARTICIPANT_SUBMIT", "10 per minute;30 per hour")
    app.config.setdefault("RATELIMIT_IP_SUBMIT", "600 per minute")
    app.config.setdefault("RATELIMIT_IP_DEFAULT", "3000 per minute")

    limiter = Limiter(
        key_func=client_ip,
        default_limits=[_setting("RATELIMIT_IP_DEFAULT")],
        default_limits_exempt_when=lambda: request.endpoint == "static",
    )
    limiter.init_app(app)
    for endpoint in SUBMIT_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        # Flask-Limiter checks decorated limits inside the wrapper, so the wrapped view replaces
        # the registered one. Only POST counts (the GET form is cheap and cached); these limits
        # replace the default per-IP one on the submit path (one Redis round trip fewer).
        per_participant = limiter.limit(_setting("RATELIMIT_PARTICIPANT_SUBMIT"), key_func=participant_key,
                                        methods=["POST"], scope="participant-submit", exempt_when=_no_identity)
        per_ip = limiter.limit(_setting("RATELIMIT_IP_SUBMIT"), key_func=client_ip,
                               methods=["POST"], scope="ip-submit")
        app.view_functions[endpoint] = per_ip(per_participant(view))
    app.extensions["sq_limiter"] = limiter
    return limiter
