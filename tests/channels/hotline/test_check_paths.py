"""H8: the same 125 orders with the same answers give identical rates by the vendor's file and by
in-house callbacks through the interviewers' queue; both store the answers through the one intake."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest
from sqlalchemy import func, select

from questionnaire.accounts.service import NewAccount, create_user
from questionnaire.campaigns.models import Campaign
from questionnaire.channels.hotline import callbacks, service, vendor
from questionnaire.channels.hotline.models import OrderCheck
from questionnaire.channels.phone import interviews, queue
from questionnaire.channels.phone.interviews import CallRecord
from questionnaire.channels.phone.outcomes import PhonePolicy
from questionnaire.extensions import db
from questionnaire.intake.models import Response
from questionnaire.kernel.numbers import shown
from tests.channels.hotline.conftest import vendor_file
from tests.fixtures.accounts import PASSWORD

RESOLUTION_VALUES = {"已解决": "resolved", "部分解决": "partial", "未解决": "unresolved"}
ALWAYS_OPEN = PhonePolicy(calling_hours=((time(0), time(23, 59, 59)),))


def by_vendor(campaign, planned, store):
    assert vendor.import_results(db.session, store, campaign.id, "结果.csv", vendor_file(planned), None) == 125


def by_callbacks(campaign, planned, store):
    interviewer = create_user(db.session, NewAccount("iv", PASSWORD, "interviewer", None, "iv")).id
    assert callbacks.start_callbacks(db.session, campaign.id) == 125
    now = datetime.now(timezone.utc)
    while (case := queue.claim_next(db.session, ALWAYS_OPEN, campaign.id, interviewer, now)) is not None:
        assert case.kind == "callback"
        a = planned[case.context["order_no"]]["answers"]
        if a is None:
            record = CallRecord(21)
        else:
            answers = {"on_time": "yes", "resolution": RESOLUTION_VALUES.get(a["resolution"])}
            if a["satisfaction"]:
                answers["satisfaction"] = a["satisfaction"]
            record = CallRecord(11, {k: v for k, v in answers.items() if v})
        interviews.record_call(db.session, store, ALWAYS_OPEN, case.id, interviewer, record, now)
    assert callbacks.collect_results(db.session, campaign.id) == 125


@pytest.mark.parametrize("check", [by_vendor, by_callbacks], ids=["vendor", "callbacks"])
def test_h8_both_paths_give_the_same_rates(campaign, sampled, store, check):
    check(campaign, sampled, store)
    rates = service.rates_by_entity(db.session, db.session.get(Campaign, campaign.id))[campaign.units["K1"].id]
    assert [str(shown(v)) for v in (rates.on_time_rate, rates.reach_rate, rates.resolution_rate,
                                    rates.satisfaction_rate)] == ["96.00", "88.00", "80.00", "81.80"]
    assert (rates.sampled, rates.reached, rates.resolution_n, rates.satisfaction_n) == (125, 110, 100, 100)
    hotline_answers = db.session.scalar(select(func.count()).select_from(Response).where(Response.channel == "hotline"))
    assert hotline_answers == 110  # counted by tallies, dashboard and exports like any channel's


def test_a_vendor_file_with_a_bad_row_stores_nothing_and_names_the_rows(campaign, sampled, store):
    data = vendor_file(sampled).decode().splitlines()
    data[3] = data[3].replace("成功", "联系上了")
    data.append("NOPE,2023-10-08 10:00,成功,是,已解决,满意,,")
    with pytest.raises(vendor.VendorFileRefused) as refused:
        vendor.import_results(db.session, store, campaign.id, "结果.csv", ("\n".join(data) + "\n").encode(), None)
    assert refused.value.rows == [(4, "回访结果应为 成功/未接通/拒访/号码错误/否认诉求"),
                                  (127, "工单编号 NOPE 不在本次抽样名单中")]
    assert db.session.scalar(select(func.count()).select_from(OrderCheck).where(OrderCheck.source.is_not(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_importing_the_same_vendor_file_twice_changes_nothing(campaign, sampled, store):
    by_vendor(campaign, sampled, store)
    assert vendor.import_results(db.session, store, campaign.id, "结果.csv", vendor_file(sampled), None) == 0
    assert db.session.scalar(select(func.count()).select_from(Response)) == 110
