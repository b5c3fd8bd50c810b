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
- Storage is Redis when one is configured (an in-memory store would be per gunicorn
  worker, multiplying every limit); the in-process stand-in in the embedded mode.
- When the limit store is down the limits fail open (errors are swallowed):
  a Redis outage must not turn into refused residents or a 500.

Two mechanisms, one policy: Flask-Limiter (fixed window, Redis storage) applies the
per-IP default to every route; the two submit endpoints are exempt from it and count
their per-participant and per-IP windows in intake.admission, in the same Redis
round trip as the dedup claim (Flask-Limiter spent five round trips there).

A breach is a 429 with Retry-After: JSON under /api, the Chinese error page elsewhere
(see kernel/web/errors.py, which handles every HTTPException).
"""

from __future__ import annotations

import functools
import ipaddress

from flask import Flask, current_app, g, request
from flask_limiter import Limiter

from questionnaire.extensions import redis_store
from questionnaire.intake.admission import Admission, Bucket, RateLimited, Window
from questionnaire.intake.identity import is_plain_ipv4
from questionnaire.intake.participant import request_device_id
from questionnaire.intake.wechat import session_pid
from questionnaire.kernel import keys
from questionnaire.settings import redis_configured


def stores_answers(view):
    """Mark a view that stores a response (the expensive, abusable path of any channel).

    Marked views get the submit admission (`limit_submissions`) instead of Flask-Limiter's
    default limit; a channel declares its submit views here, not in a list kept in this module.
    """
    view.stores_answers = True
    return view


def submit_endpoints(app: Flask) -> frozenset[str]:
    return frozenset(name for name, view in app.view_functions.items() if getattr(view, "stores_answers", False))


def client_ip() -> str:
    """The limiter's key for a client address: IPv4 as is, IPv6 by its /64.

    One IPv6 subscriber gets a whole /64 and can rotate addresses inside it at will; a
    carrier NAT's IPv4 address is shared by many people, which the generous per-IP
    limit allows for. Behind a reverse proxy TRUSTED_PROXY_HOPS makes this the real client.
    """
    addr = request.remote_addr or "unknown"
    if is_plain_ipv4(addr):  # the common case, without building an ipaddress object
        return addr
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def limiter_key() -> str:
    """Flask-Limiter's key function: the client address (as `client_ip`), as a keyed HMAC."""
    return keys.limiter_client(current_app.config["PARTICIPANT_HMAC_KEY"], client_ip())


def _identity() -> str | None:
    # With a WeChat account the form never sets a device cookie, so the WeChat identity must be
    # read here too, or WeChat residents would only ever meet the generous per-IP limit.
    pid = session_pid()
    if pid:
        return "wx:" + pid
    device = request_device_id()
    return "dev:" + device if device else None


def _setting(name: str):
    return lambda: current_app.config[name]


def submit_admission() -> Admission:
    """The rate-limit buckets of this submit request (none when limits are off)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return Admission(counted=True)
    windows = current_app.extensions["sq_submit_windows"]
    hmac_key = current_app.config["PARTICIPANT_HMAC_KEY"]
    buckets = Bucket.for_client("ip-submit", client_ip(), windows["ip"], hmac_key=hmac_key)
    identity = _identity()
    if identity is not None:  # cookieless residents only meet the per-IP window
        buckets = Bucket.for_client("participant-submit", identity, windows["participant"], hmac_key=hmac_key) + buckets
    return Admission(buckets)


def limit_submissions(view):
    """Count every submit request once, valid or not; refuse with 429 when a window is full.

    A valid submission is counted by SubmissionStore.submit together with its dedup claim
    (`g.admission`); whatever the view answered without reaching it (a forged token, bad
    answers, a closed entry) is counted here, and a full window turns that answer into a 429.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.admission = submit_admission()
        try:
            response = view(*args, **kwargs)
        except RateLimited:
            raise
        except Exception:
            g.admission.count(redis_store.client(current_app))
            raise
        g.admission.count(redis_store.client(current_app))
        return response

    return wrapper


def init_app(app: Flask) -> Limiter:
    """Build this app's limiter; wrap the submit endpoints in their own admission (after blueprints exist)."""
    if redis_configured(app.config) and "RATELIMIT_STORAGE_URI" not in app.config:
        # The app's own client's pool (extensions.build_redis): the limiter reaches the same server,
        # or the same Sentinel-managed master, and follows a failover with it. The URI only picks
        # the limits storage class; with a pool given it is not connected to.
        app.config["RATELIMIT_STORAGE_URI"] = "redis://"
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS",
                              {"connection_pool": redis_store.client(app).connection_pool})
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "sq:rl")
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # No X-RateLimit-* headers: they cost a window read per request; a 429 still carries
    # Retry-After (kernel/web/errors.py).
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Fixed window: one Redis round trip per limit (moving-window's Lua list scan measured ~5x dearer).
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    app.config.setdefault("RATELIMIT_PARTICIPANT_SUBMIT", "10 per minute;30 per hour")
    app.config.setdefault("RATELIMIT_IP_SUBMIT", "600 per minute")
    app.config.setdefault("RATELIMIT_IP_DEFAULT", "3000 per minute")
    app.extensions["sq_submit_windows"] = {
        "participant": Window.parse(app.config["RATELIMIT_PARTICIPANT_SUBMIT"]),
        "ip": Window.parse(app.config["RATELIMIT_IP_SUBMIT"]),
    }

    limiter = Limiter(
        key_func=limiter_key,
        default_limits=[_setting("RATELIMIT_IP_DEFAULT")],
        default_limits_exempt_when=lambda: request.endpoint in ("static", "healthz"),
    )
    limiter.init_app(app)
    # The submit endpoints count in intake.admission; tell Flask-Limiter before it resolves
    # any limit for them (an exempt view alone still costs it a full limit resolution).
    submits = submit_endpoints(app)
    limiter.request_filter(lambda: request.endpoint in submits)
    for endpoint in submits:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        # Registered view replaced by the wrapped one; only POST reaches these endpoints.
        app.view_functions[endpoint] = limiter.exempt(limit_submissions(view))
    app.extensions["sq_limiter"] = limiter
    return limiter
