"""An office account enrols a TOTP authenticator in the browser, logs out, and logs in again with
password + code, on a phone (360 px) and a desktop (1440 px)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}


def _watch_errors(page) -> list[str]:
    errors = []
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _password_step(page, live_server):
    page.goto(f"{live_server}/office/login")
    page.fill("input[name=username]", "k1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")


@pytest.mark.parametrize("device, options", [("phone", PHONE), ("desktop", DESKTOP)])
def test_enrol_then_log_in_with_password_and_code(chromium, live_server, accounts, screenshot, tmp_path,
                                                  device, options):
    context = chromium.new_context(**options)
    page = context.new_page()
    errors = _watch_errors(page)
    try:
        _password_step(page, live_server)
        page.wait_for_url("**/office/**")
        screenshot(page, f"office-{device}-after-login")
        page.click(".topbar >> text=两步验证")
        page.wait_for_url("**/office/account/second-factor")
        qr = page.locator("img.totp-qr")
        expect(qr).to_be_visible()
        assert page.evaluate("document.querySelector('img.totp-qr').naturalWidth") > 0  # our own route drew it
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        if shutil.which("zbarimg"):  # the code on screen is what an authenticator app reads
            shot = tmp_path / "qr.png"
            qr.screenshot(path=str(shot))
            decoded = subprocess.run(["zbarimg", "-q", "--raw", str(shot)], capture_output=True, text=True).stdout
            assert decoded.startswith("otpauth://totp/") and f"secret={secret}" in decoded
        screenshot(page, f"second-factor-enrol-{device}")
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("button.primary")
        expect(page.locator("h1")).to_have_text("两步验证已启用")
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        screenshot(page, f"second-factor-recovery-codes-{device}")
        page.click("text=我已保存，进入工作台")
        page.click("text=退出登录")
        page.wait_for_url("**/office/login")

        _password_step(page, live_server)
        page.wait_for_url("**/office/login/code*")
        screenshot(page, f"login-code-{device}")
        page.goto(f"{live_server}/office/")  # the password alone is no login
        assert page.url.endswith("/office/login?next=/office/")
        screenshot(page, f"login-{device}")
        _password_step(page, live_server)
        page.wait_for_url("**/office/login/code*")
        # The next time step's code (within the allowed drift): the enrolment used the current one.
        page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
        page.click("button.primary")
        page.wait_for_url("**/office/campaigns/**")
        expect(page.locator(".topbar .who")).to_contain_text("甲县")
        assert errors == []
    finally:
        context.close()
