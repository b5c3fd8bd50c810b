"""HTTP hygiene: form decoding, security headers, no-cache HTML for WeChat, content-hashed static URLs."""

from __future__ import annotations

import hashlib
import os
import re
from urllib.parse import quote

from flask import Flask, Response, request, send_from_directory, url_for

from questionnaire.kernel.china_time import format_china_time
from questionnaire.kernel.web.form_data import AppRequest

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self' https://open.weixin.qq.com; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                    ("Referrer-Policy", "same-origin"))
NO_STORE = "no-cache, no-store, must-revalidate"


def init_app(app: Flask) -> None:
    app.request_class = AppRequest  # form bytes that are not UTF-8 reach validation (see form_data)
    hashes: dict[str, str] = {}

    def static_url(filename: str) -> str:
        """URL with a content hash, so WeChat's sticky cache can never serve a stale asset."""
        digest = hashes.get(filename)
        if digest is None or app.debug:
            path = os.path.join(app.static_folder, filename)
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()[:12]
            hashes[filename] = digest
        return url_for("static", filename=filename, v=digest)

    app.jinja_env.globals["static_url"] = static_url
    # The load balancer's check (config/haproxy.cfg): this node's web process answers. It touches
    # neither PostgreSQL nor Redis: their outages are answered per request (a clear 503, or
    # PostgreSQL alone), and a shared outage must not take every node out of the balancer.
    app.add_url_rule("/healthz", "healthz", lambda: Response("ok\n", mimetype="text/plain"))

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask for it on every office page; a 404 there filled the logs."""
        response = send_from_directory(os.path.join(app.static_folder, "img"), "favicon.ico",
                                       mimetype="image/vnd.microsoft.icon")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response
    app.jinja_env.filters["cst"] = format_china_time

    @app.after_request
    def headers(response: Response) -> Response:
        # Runs on every response: one extend in the common case instead of three setdefaults
        # and a mimetype parse (~0.01 ms of a submission); a view's own header is kept.
        headers = response.headers
        if any(name in headers for name, _ in SECURITY_HEADERS):
            for name, value in SECURITY_HEADERS:
                headers.setdefault(name, value)
        else:
            headers.extend(SECURITY_HEADERS)
        if request.endpoint == "static" and request.args.get("v"):
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        elif (headers.get("Content-Type") or "").startswith("text/html"):
            # WeChat's web view caches HTML aggressively; a stale form means a lost answer.
            headers["Cache-Control"] = NO_STORE
        return response


def attachment(filename: str) -> str:
    """Content-Disposition for a download named in Chinese: an ASCII fallback plus the UTF-8 name
    (RFC 6266 / 5987), so the saved file says which unit it is for."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
