"""A command that cannot do its job says why, in Chinese, and exits 1 (click.ClickException)."""

from __future__ import annotations

import pytest

UNKNOWN = "99999"


@pytest.mark.parametrize("args", [
    ["tallies", "recount", "--campaign", UNKNOWN],
    ["tallies", "verify", "--campaign", UNKNOWN],
    ["generate-responses", "--campaign", UNKNOWN, "--count", "1"],
    ["rebuild-redis", "--campaign", UNKNOWN],
], ids=lambda args: " ".join(args[:2]))
def test_a_command_about_an_unknown_campaign_fails_with_a_clear_message(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    assert f"调查活动 {UNKNOWN} 不存在" in result.output


@pytest.mark.parametrize("args", [["rq-worker"], ["tallies", "cron"]])
def test_worker_commands_need_redis(runner, clean_app, monkeypatch, args):
    monkeypatch.setitem(clean_app.config, "REDIS_URL", None)
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "REDIS_URL 未设置" in result.output


def test_an_unknown_queue_is_refused_before_connecting(runner, clean_app, monkeypatch):
    monkeypatch.setitem(clean_app.config, "REDIS_URL", "redis://127.0.0.1:9/0")
    result = runner.invoke(args=["rq-worker", "tallies", "nope"])
    assert result.exit_code == 1 and "未知队列：nope" in result.output


@pytest.mark.parametrize("args, message", [
    (["create-demo-accounts"], "生产环境不能创建固定密码的演示账号"),
    (["generate-responses", "--campaign", "1", "--count", "1"], "须加 --yes"),
])
def test_demo_commands_refuse_production(runner, clean_app, monkeypatch, args, message):
    monkeypatch.setitem(clean_app.config, "ENV_NAME", "production")
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and message in result.output
