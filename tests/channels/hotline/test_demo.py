"""The `./dev run` demo of the phone channel and the 12345 checks: frames, a draw and completes;
orders, a mapping queue, vendor results and queued callbacks; idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from questionnaire.channels.hotline.models import OrderCheck, WorkOrder
from questionnaire.channels.phone.models import PhoneCase
from questionnaire.extensions import db
from questionnaire.intake.models import Response


def test_the_demo_seeds_phone_interviews_and_hotline_checks_once(runner):
    for command in ("seed-demo", "create-demo-accounts", "seed-phone-demo"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 0, result.output
    by_channel = dict(db.session.execute(select(Response.channel, func.count()).group_by(Response.channel)).all())
    assert by_channel["phone"] > 50 and by_channel["hotline"] > 50
    assert db.session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.org_unit_id.is_(None))) > 0
    assert db.session.scalar(select(func.count()).select_from(OrderCheck).where(OrderCheck.source == "vendor")) == 100
    assert db.session.scalar(select(func.count()).select_from(PhoneCase).where(PhoneCase.kind == "callback")) == 50
    again = runner.invoke(args=["seed-phone-demo"]).output
    assert "already drawn, left alone" in again
