"""Demo rectification data for `./dev run`: the 2021 year as seed 001 reports it (625 items, 541
closed on time: 86.6 %), frozen at year end with its open items carried over, and a handful of
this year's tasks of the demo county (county-451202) in every state and warning colour.

The 2021 bulk is written directly (with a short history per task) rather than step by step
through the workflow: 625 items would otherwise cost thousands of commits at every start.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.models import OfficeUser
from questionnaire.kernel.china_time import china_date
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.rectification import evidence, rules
from questionnaire.rectification.evidence_rules import DEFAULT_MAX_BYTES
from questionnaire.rectification.item_specs import ItemSpec
from questionnaire.rectification.items import add_item, responsible_entities
from questionnaire.rectification.models import RectificationEvent, RectificationItem, RectificationYear
from questionnaire.rectification.workflow import ActionInput, Actor, ReportInput, submit_report, take_action
from questionnaire.rectification.yearend import close_year

DEMO_REF = "demo:rectification"
TOPICS = ("部分村屯道路照明不足", "农贸市场周边占道经营", "乡镇卫生院就诊排队时间长", "城区学校周边交通拥堵",
          "农村生活垃圾清运不及时", "办事窗口服务态度有待改进", "小区周边夜间噪音扰民", "公共文体设施维护不到位")
# Seed 001: 625 items, 541 closed on time; the other 84 split here as late / long-term / overdue.
LATE, LONG_TERM, OVERDUE = 30, 40, 14
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
               b"/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _event(task, user_id, action, from_status, to_status, note=""):
    task.events.append(RectificationEvent(at=utcnow(), user_id=user_id, action=action, from_status=from_status,
                                          to_status=to_status, note=note, detail={"demo": True}))


def _seed_2021(session: Session, admin_id: int) -> None:
    entities = responsible_entities(session)
    known = {u.id for u in entities}
    rng = random.Random(2021)
    for n in range(625):
        deadline = date(2021, rng.choice((9, 10, 11, 12)), 28)
        spec = ItemSpec(year=2021, seq=n + 1, text=f"{rng.choice(TOPICS)}（第 {n + 1} 条）",
                        category=rng.choice(rules.CATEGORIES), deadline=deadline,
                        lead_ids=(entities[n % len(entities)].id,),
                        source="regional", batch="自治区反馈·2020年度" if n < 300 else "自治区反馈·2021年度中期",
                        source_ref=f"{DEMO_REF}:2021:{n + 1}")
        task = add_item(session, spec, admin_id, date(2021, 5, 10), known_entities=known, flush=False).tasks[0]
        task.status = rules.ACCEPTED
        _event(task, None, "accept", rules.ASSIGNED, rules.ACCEPTED)
        if n < 541 + LATE:
            task.claimed_on = task.completed_on = (deadline - timedelta(days=rng.randint(1, 60)) if n < 541
                                                   else deadline + timedelta(days=rng.randint(3, 20)))
            task.status = rules.CLOSED
            _event(task, None, "claim", rules.ACCEPTED, rules.CLAIMED)
            _event(task, admin_id, "close", rules.CLAIMED, rules.CLOSED, "材料齐全，核实销号")
        elif n < 541 + LATE + LONG_TERM:
            task.status, task.planned_on = rules.LONG_TERM, date(2022, 12, 31)
            task.long_term_reason = rng.choice(("project", "funding", "legal", "other"))
            _event(task, None, "request_long_term", rules.ACCEPTED, rules.LONG_TERM_REQUESTED, "涉及项目申请和资金")
            _event(task, admin_id, "approve_long_term", rules.LONG_TERM_REQUESTED, rules.LONG_TERM)
        else:
            task.status = rules.IN_PROGRESS
    session.commit()
    close_year(session, Actor(admin_id, Scope(role="admin", user_id=admin_id)), 2021, date(2022, 1, 27))


def _seed_this_year(session: Session, admin_id: int, clerk_id: int | None, county: OrgUnit, instance_path: str,
                    today: date) -> None:
    office = Actor(admin_id, Scope(role="admin", user_id=admin_id))
    clerk = Actor(clerk_id, Scope(role="county", user_id=clerk_id, county_id=county.id))
    unit = session.scalar(select(OrgUnit).where(OrgUnit.kind == "city_unit").order_by(OrgUnit.sort_order))
    plans = [  # (text, days to the deadline, what the county has done)
        ("城区主干道路灯夜间不亮", -5, "accepted"),  # red
        ("农贸市场周边占道经营", 5, "reported"),  # blue
        ("乡镇卫生院就诊排队时间长", 90, "accepted"),  # yellow after the 25th
        ("学校周边上下学时段交通拥堵", 60, "closed"),
        ("农村生活垃圾清运不及时", 45, "claimed"),
        ("老旧小区改造资金不足", 30, "long_term"),
        ("办事大厅窗口服务态度", 120, "assigned"),
    ]
    for n, (text, days, state) in enumerate(plans):
        deadline = today + timedelta(days=days)
        spec = ItemSpec(year=min(today.year, deadline.year), seq=n + 1, text=text, category=rules.CATEGORIES[n],
                        deadline=deadline,
                        lead_ids=(county.id,), assist_ids=(unit.id,) if n == 3 and unit else (), source="survey",
                        batch="市本级民意调查", source_ref=f"{DEMO_REF}:now:{n + 1}")
        task = add_item(session, spec, admin_id, today - timedelta(days=40)).tasks[0]
        session.commit()
        if state == "assigned" or clerk_id is None:
            continue
        take_action(session, clerk, task.id, ActionInput("accept"), today)
        upload = evidence.Upload("整改照片.pdf", _pdf())
        if state in ("reported", "closed", "claimed"):
            progress = ReportInput("已制定整改方案，本月完成现场排查", "分片包干，逐一整改")
            submit_report(session, clerk, task.id, progress, [upload], instance_path, DEFAULT_MAX_BYTES, today)
        if state in ("closed", "claimed"):
            take_action(session, clerk, task.id, ActionInput("claim", "已整改完毕", completed_on=today), today)
        if state == "closed":
            take_action(session, office, task.id, ActionInput("close", "现场核实"), today)
        if state == "long_term":
            take_action(session, clerk, task.id, ActionInput("request_long_term", "需申请中央财政补助资金",
                                                             long_term_reason="funding",
                                                             planned_on=deadline + timedelta(days=180)), today)


def _pdf() -> io.BytesIO:
    return io.BytesIO(MINIMAL_PDF)


def seed(session: Session, instance_path: str) -> str:
    """Write the demo data once (idempotent); returns what was done."""
    if session.scalar(select(RectificationItem.id).where(RectificationItem.source_ref.like(f"{DEMO_REF}:%"))):
        return "rectification demo already present"
    admin = session.scalar(select(OfficeUser).where(OfficeUser.username == "admin"))
    clerk = session.scalar(select(OfficeUser).where(OfficeUser.username == "county-451202"))
    county = session.scalar(select(OrgUnit).where(OrgUnit.code == "451202"))
    if admin is None or county is None:
        return "rectification demo skipped: run seed-demo and create-demo-accounts first"
    if session.get(RectificationYear, 2021) is None:
        _seed_2021(session, admin.id)
    _seed_this_year(session, admin.id, clerk.id if clerk else None, county, instance_path, china_date(utcnow()))
    return "rectification demo: 2021 (625 items, 541 on time, frozen) and 7 tasks of this year for county-451202"
