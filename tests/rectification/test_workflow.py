"""The workflow through the services: closure control, history, lateness, carry-over (R1-R3, R5, R8)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from questionnaire.accounts.models import AuditEvent
from questionnaire.extensions import db
from questionnaire.kernel.errors import NotInScope
from questionnaire.org.scope import Scope
from questionnaire.rectification import figures, rules
from questionnaire.rectification.errors import ActionForbidden, ActionRefused, ItemInvalid, YearAlreadyClosed
from questionnaire.rectification.items import add_item, create_item
from questionnaire.rectification.models import RectificationItem, RectificationTask
from questionnaire.rectification.workflow import ActionInput, Actor, Adjustment, adjust_task, take_action
from questionnaire.rectification.yearend import close_year
from tests.rectification.conftest import spec

# Dates, the JSON of frozen years and the unique source reference behave per backend.
pytestmark = pytest.mark.both_backends

OCT_31 = date(2021, 10, 31)
ADMIN = Scope(role="admin")


def accept_and_claim(actor, task_id, completed_on, today):
    take_action(db.session, actor, task_id, ActionInput("accept"), today)
    return take_action(db.session, actor, task_id, ActionInput("claim", "已完成", completed_on=completed_on), today)


def test_an_item_split_to_two_entities_is_two_tasks_but_one_item(make_item, campaign):
    item = make_item("K1", assists=("U1",))
    assert [(t.entity.code, t.role, t.status) for t in item.tasks] == [("K1", "lead", "assigned"),
                                                                       ("U1", "assist", "assigned")]
    view = figures.build(db.session, ADMIN, 2021, date(2021, 6, 1))
    assert (view.city.due, len(view.rows)) == (1, 2)


def test_r1_625_items_two_of_them_split_make_627_tasks_and_the_rate_counts_625(campaign, accounts):
    k1, k2, u1 = (campaign.units[c].id for c in ("K1", "K2", "U1"))
    for n in range(625):
        assists = (u1,) if n < 2 else ()
        add_item(db.session, spec((k1, k2)[n % 2], assists=assists, seq=n + 1), accounts.admin, date(2021, 5, 10),
                 known_entities={k1, k2, u1}, flush=False)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RectificationItem)) == 625
    assert db.session.scalar(select(func.count()).select_from(RectificationTask)) == 627
    assert figures.build(db.session, ADMIN, 2021, date(2021, 6, 1)).city.due == 625


def test_r2_541_of_625_items_on_time_is_86_6_percent_and_the_rest_are_listed_by_status(campaign, accounts):
    k1 = campaign.units["K1"].id
    for n in range(625):
        batch = "自治区反馈·2020年度" if n < 300 else "自治区反馈·2021年度中期"
        item = add_item(db.session, spec(k1, seq=n + 1, batch=batch), accounts.admin, date(2021, 5, 10),
                        known_entities={k1}, flush=False)
        task = item.tasks[0]
        if n < 541:
            task.status, task.completed_on = rules.CLOSED, date(2021, 10, 1)
        elif n < 561:
            task.status, task.completed_on = rules.CLOSED, date(2021, 11, 5)  # 逾期完成
        elif n < 601:
            task.status, task.long_term_reason, task.planned_on = rules.LONG_TERM, "funding", date(2022, 6, 30)
        else:
            task.status = rules.IN_PROGRESS  # overdue
    db.session.commit()
    view = figures.build(db.session, ADMIN, 2021, date(2022, 1, 10))
    assert (view.city.due, view.city.on_time, view.city.late, view.city.long_term, view.city.overdue) == \
        (625, 541, 20, 40, 24)
    assert view.city.rate_text == "86.6%"
    assert dict(((u.code, f.rate_text) for u, f in view.entities)) == {"K1": "86.6%"}
    assert [(batch, f.due, f.on_time) for batch, f in view.batches] == [
        ("自治区反馈·2020年度", 300, 300), ("自治区反馈·2021年度中期", 325, 241)]


def test_r3_a_task_completed_after_its_deadline_is_closed_late(make_item, k1_clerk, office):
    item = make_item("K1", deadline=OCT_31)
    task_id = item.tasks[0].id
    accept_and_claim(k1_clerk, task_id, date(2021, 11, 5), date(2021, 11, 5))
    take_action(db.session, office, task_id, ActionInput("close", "现场核实"), date(2021, 11, 6))
    view = figures.build(db.session, ADMIN, 2021, date(2021, 12, 1))
    assert view.items[0].outcome == rules.LATE
    assert (view.city.on_time, view.city.late) == (0, 1)


def test_r5_an_entity_cannot_close_its_own_task(make_item, k1_clerk):
    task_id = make_item("K1").tasks[0].id
    accept_and_claim(k1_clerk, task_id, date(2021, 10, 20), date(2021, 10, 20))
    with pytest.raises(ActionForbidden):
        take_action(db.session, k1_clerk, task_id, ActionInput("close"), date(2021, 10, 21))
    assert db.session.get(RectificationTask, task_id).status == rules.CLAIMED


def test_r5_every_status_change_records_user_time_and_note(make_item, k1_clerk, office, accounts):
    task_id = make_item("K1").tasks[0].id
    accept_and_claim(k1_clerk, task_id, date(2021, 10, 20), date(2021, 10, 20))
    take_action(db.session, office, task_id, ActionInput("return", "佐证材料不足"), date(2021, 10, 21))
    events = db.session.get(RectificationTask, task_id).events
    assert [(e.action, e.from_status, e.to_status, e.user_id) for e in events] == [
        ("assign", None, "assigned", accounts.admin),
        ("accept", "assigned", "accepted", accounts.k1),
        ("claim", "accepted", "claimed", accounts.k1),
        ("return", "claimed", "in_progress", accounts.admin),
    ]
    assert events[-1].note == "佐证材料不足" and all(e.at is not None for e in events)
    audited = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("rectification_%"))
                                 .order_by(AuditEvent.id)).all()
    assert audited == ["rectification_accept", "rectification_claim", "rectification_return"]


def test_another_countys_account_cannot_see_or_act_on_a_task(make_item, accounts, campaign):
    task_id = make_item("K1").tasks[0].id

    other = Actor(accounts.k2, Scope(role="county", user_id=accounts.k2, county_id=campaign.units["K2"].id))
    with pytest.raises(NotInScope):
        take_action(db.session, other, task_id, ActionInput("accept"), date(2021, 6, 1))
    assert db.session.get(RectificationTask, task_id).status == rules.ASSIGNED


def test_refusals_change_nothing(make_item, k1_clerk):
    task_id = make_item("K1").tasks[0].id
    with pytest.raises(ActionRefused, match="不能申请销号"):
        take_action(db.session, k1_clerk, task_id, ActionInput("claim", completed_on=date(2021, 6, 1)),
                    date(2021, 6, 1))
    take_action(db.session, k1_clerk, task_id, ActionInput("accept"), date(2021, 6, 1))
    with pytest.raises(ActionRefused, match="客观原因类别"):
        take_action(db.session, k1_clerk, task_id, ActionInput("request_long_term", "资金未到位"), date(2021, 6, 1))
    with pytest.raises(ActionRefused, match="不能晚于今天"):
        take_action(db.session, k1_clerk, task_id, ActionInput("claim", completed_on=date(2021, 6, 2)),
                    date(2021, 6, 1))
    task = db.session.get(RectificationTask, task_id)
    assert (task.status, task.claimed_on, len(task.events)) == (rules.ACCEPTED, None, 2)


def test_an_approved_long_term_task_keeps_its_reason_and_is_not_on_time(make_item, k1_clerk, office):
    task_id = make_item("K1").tasks[0].id
    take_action(db.session, k1_clerk, task_id, ActionInput("accept"), date(2021, 6, 1))
    take_action(db.session, k1_clerk, task_id, ActionInput("request_long_term", "需申请专项资金",
                                                           long_term_reason="funding", planned_on=date(2022, 6, 30)),
                date(2021, 9, 1))
    take_action(db.session, office, task_id, ActionInput("approve_long_term"), date(2021, 9, 2))
    view = figures.build(db.session, ADMIN, 2021, date(2022, 1, 5))
    assert view.items[0].outcome == rules.LONG_TERM_OPEN and view.city.on_time == 0
    assert view.rows[0].task.long_term_reason == "funding"


def test_create_item_refuses_the_same_suggestion_twice(campaign, accounts):
    made = spec(campaign.units["K1"].id, source="survey", source_ref="response:7")
    create_item(db.session, made, accounts.admin, date(2021, 6, 1))
    with pytest.raises(ItemInvalid, match="已列入整改"):
        create_item(db.session, made, accounts.admin, date(2021, 6, 1))
    with pytest.raises(ItemInvalid, match="县区或市直单位"):
        create_item(db.session, spec(campaign.units["K1T1"].id), accounts.admin, date(2021, 6, 1))


def test_r8_open_items_carry_over_with_history_and_the_closed_years_rate_stays_frozen(
        make_item, k1_clerk, office):
    on_time = make_item("K1", seq=1)
    still_open = make_item("K1", seq=2)
    accept_and_claim(k1_clerk, on_time.tasks[0].id, date(2021, 10, 1), date(2021, 10, 1))
    take_action(db.session, office, on_time.tasks[0].id, ActionInput("close"), date(2021, 10, 2))
    take_action(db.session, k1_clerk, still_open.tasks[0].id, ActionInput("accept"), date(2021, 6, 1))

    with pytest.raises(ActionRefused, match="尚未结束"):
        close_year(db.session, office, 2021, date(2021, 12, 31))
    frozen = close_year(db.session, office, 2021, date(2022, 1, 5))
    assert (frozen.carried, frozen.figures["city"]["due"], frozen.figures["city"]["on_time"]) == (1, 2, 1)
    with pytest.raises(YearAlreadyClosed):
        close_year(db.session, office, 2021, date(2022, 1, 6))

    # The carried item is closed in 2022 (late); 2021 still shows its frozen 50.0 %.
    accept_and_claim_late = still_open.tasks[0].id
    take_action(db.session, k1_clerk, accept_and_claim_late,
                ActionInput("claim", completed_on=date(2022, 3, 1)), date(2022, 3, 1))
    take_action(db.session, office, accept_and_claim_late, ActionInput("close"), date(2022, 3, 2))
    assert figures.build(db.session, ADMIN, 2021, date(2022, 3, 3)).city.rate_text == "50.0%"

    next_year = figures.build(db.session, ADMIN, 2022, date(2022, 3, 3))
    assert [i.item.id for i in next_year.carried_in] == [still_open.id]
    carried = next_year.carried_in[0]
    assert carried.item.deadline == date(2021, 10, 31) and carried.item.year == 2021
    assert [e.action for e in carried.item.tasks[0].events] == ["assign", "accept", "carry_over", "claim", "close"]
    assert next_year.city.due == 0  # it was due in 2021, not in 2022


def test_the_office_reassigns_a_task_and_moves_its_deadline_keeping_the_previous_values(
        make_item, k1_clerk, office, campaign, accounts):
    task_id = make_item("K1").tasks[0].id
    take_action(db.session, k1_clerk, task_id, ActionInput("accept"), date(2021, 6, 1))
    with pytest.raises(ActionForbidden):
        adjust_task(db.session, k1_clerk, task_id, Adjustment("不是我们的事", entity_id=campaign.units["K2"].id),
                    date(2021, 6, 2))
    with pytest.raises(ActionRefused, match="原因说明"):
        adjust_task(db.session, office, task_id, Adjustment(" ", deadline=date(2021, 11, 30)), date(2021, 6, 2))
    adjust_task(db.session, office, task_id, Adjustment("职责属乙区", entity_id=campaign.units["K2"].id,
                                                        deadline=date(2021, 11, 30)), date(2021, 6, 2))
    task = db.session.get(RectificationTask, task_id)
    assert (task.entity.code, task.status, task.deadline, task.assigned_on) == (
        "K2", rules.ASSIGNED, date(2021, 11, 30), date(2021, 6, 2))
    last = task.events[-1]
    assert (last.action, last.note, last.user_id) == ("adjust", "职责属乙区", accounts.admin)
    assert last.detail["previous"] == {"entity_id": campaign.units["K1"].id, "status": "accepted",
                                       "assigned_on": "2021-05-10", "deadline": "2021-10-31"}
    with pytest.raises(NotInScope):  # K1 no longer sees it
        take_action(db.session, k1_clerk, task_id, ActionInput("accept"), date(2021, 6, 3))
