"""H6: two approved appeals (涉法涉诉) of E's 未解决 orders -> 80 / 98 = 81.63 %; the audit log
holds category, reason, approver and time; the window, categories and other entities' orders."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent
from questionnaire.campaigns.models import Campaign
from questionnaire.channels.hotline import appeals, service
from questionnaire.channels.hotline.models import OrderCheck
from questionnaire.extensions import db
from questionnaire.kernel.errors import NotInScope
from questionnaire.kernel.numbers import shown
from questionnaire.org.models import OrgUnit

pytestmark = pytest.mark.both_backends
SOON = datetime(2023, 10, 9, 2, 0, tzinfo=timezone.utc)  # the day after the callbacks (2023-10-08)


def unresolved(campaign) -> list[OrderCheck]:
    return db.session.scalars(select(OrderCheck).where(OrderCheck.resolution == "未解决")
                              .order_by(OrderCheck.id)).all()


def test_h6_two_approved_appeals_take_their_orders_out_of_the_resolution_rate(campaign, checked, accounts):
    k1 = db.session.get(OrgUnit, campaign.units["K1"].id)
    first, second, third = unresolved(campaign)[:3]
    filed = [appeals.file_appeal(db.session, k1, c.id, "resolution", "涉法涉诉", "该诉求已进入诉讼程序",
                                 accounts.k1, SOON) for c in (first, second, third)]
    decided_at = SOON + timedelta(hours=1)
    for appeal in filed[:2]:
        appeals.decide_appeal(db.session, appeal.id, True, "经核实属涉法涉诉", accounts.admin, decided_at)
    appeals.decide_appeal(db.session, filed[2].id, False, "证据不足", accounts.admin, decided_at)

    rates = service.rates_by_entity(db.session, db.session.get(Campaign, campaign.id))[k1.id]
    assert rates.resolution_n == 98 and str(shown(rates.resolution_rate)) == "81.63"
    assert str(shown(rates.on_time_rate)) == "96.00" and str(shown(rates.satisfaction_rate)) == "81.80"
    decision = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hotline_appeal_decision",
                                                          AuditEvent.target == f"appeal:{filed[0].id}"))
    assert decision.user_id == accounts.admin and decision.at == SOON + timedelta(hours=1)
    assert decision.detail["category"] == "涉法涉诉" and decision.detail["appeal_reason"] == "该诉求已进入诉讼程序"
    assert decision.detail["decision"] == "approved" and decision.detail["reason"] == "经核实属涉法涉诉"
    filing = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hotline_appeal",
                                                        AuditEvent.target == f"appeal:{filed[0].id}"))
    assert filing.user_id == accounts.k1 and filing.detail["rate"] == "resolution"


def test_an_appeal_after_the_window_or_without_a_reason_is_refused(campaign, checked, accounts):
    k1 = db.session.get(OrgUnit, campaign.units["K1"].id)
    check = unresolved(campaign)[0]
    late = SOON + timedelta(days=10)  # more than 5 working days after the callback
    with pytest.raises(appeals.AppealRefused, match="申诉期已过"):
        appeals.file_appeal(db.session, k1, check.id, "resolution", "涉法涉诉", "理由", accounts.k1, late)
    with pytest.raises(appeals.AppealRefused, match="请填写申诉理由"):
        appeals.file_appeal(db.session, k1, check.id, "resolution", "涉法涉诉", "  ", accounts.k1, SOON)
    with pytest.raises(appeals.AppealRefused, match="申诉类别"):
        appeals.file_appeal(db.session, k1, check.id, "resolution", "看心情", "理由", accounts.k1, SOON)
    with pytest.raises(appeals.AppealRefused, match="不受理申诉"):
        appeals.file_appeal(db.session, k1, check.id, "on_time", "涉法涉诉", "理由", accounts.k1, SOON)


def test_a_resolved_order_needs_no_appeal_and_another_entitys_order_is_not_found(campaign, checked, accounts):
    k1 = db.session.get(OrgUnit, campaign.units["K1"].id)
    k2 = db.session.get(OrgUnit, campaign.units["K2"].id)
    resolved = db.session.scalar(select(OrderCheck).where(OrderCheck.resolution == "已解决").limit(1))
    with pytest.raises(appeals.AppealRefused, match="无需申诉"):
        appeals.file_appeal(db.session, k1, resolved.id, "resolution", "其他", "理由", accounts.k1, SOON)
    with pytest.raises(NotInScope):
        appeals.file_appeal(db.session, k2, unresolved(campaign)[0].id, "resolution", "其他", "理由", accounts.k2, SOON)
