"""Browser fixtures: the per-backend test app served on a loopback port, and headless Chromium.

`live_server` is generic (any test can point a browser at it); it serves the
same `clean_app` the other app-level tests use, so data created in the test
thread through `db.session` is what the browser sees.
"""

from __future__ import annotations

import os
import threading

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# A WeChat built-in browser on a cheap Android phone (X5/XWEB core).
WECHAT_ANDROID_UA = (
    "Mozilla/5.0 (Linux; Android 10; V1914A Build/QP1A.190711.020; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 "
    "MMWEBSDK/20230405 MMWEBID/6170 MicroMessenger/8.0.35.2360(0x2800235B) WeChat/arm64 "
    "Weixin NetType/4G Language/zh_CN ABI/arm64"
)
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "user_agent": WECHAT_ANDROID_UA, "locale": "zh-CN"}


@pytest.fixture
def live_server(clean_app):
    """Serve the test app with werkzeug on a free loopback port; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, clean_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium driven by Playwright; skipped when absent unless REQUIRE_BROWSER=1."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium):
    """A fresh WeChat-on-Android phone context (JavaScript on); yields a page."""
    context = chromium.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_js(chromium):
    context = chromium.new_context(**PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot when BROWSER_SCREENSHOTS names a directory (for eyeballing)."""
    directory = os.environ.get("BROWSER_SCREENSHOTS")

    def take(page, name: str) -> None:
        if directory:
            os.makedirs(directory, exist_ok=True)
            page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=True)

    return take
