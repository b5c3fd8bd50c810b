"""P3: a stratified draw reproducible from its seed, allocation per entity, short frames drawn whole."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from questionnaire.channels.phone import draw, sampling
from questionnaire.channels.phone.models import FrameNumber, PhoneCase
from questionnaire.extensions import db
from questionnaire.intake.models import CollectionPoint
from tests.channels.phone.conftest import mobiles


def _drawn_numbers(campaign_id):
    return db.session.execute(
        select(PhoneCase.evaluated_unit_id, FrameNumber.phone_hmac).join(FrameNumber)
        .where(PhoneCase.campaign_id == campaign_id).order_by(PhoneCase.draw_order)).all()


def test_drawing_twice_with_the_seed_gives_identical_lists(upload, campaign):
    upload("K1", mobiles(0, 300))
    upload("K2", mobiles(1000, 200))
    upload("U1", mobiles(2000, 100))
    first = draw.run_draw(db.session, campaign.id, 120, seed="S-2026")
    once = _drawn_numbers(campaign.id)
    again = draw.run_draw(db.session, campaign.id, 120, seed="S-2026")
    assert _drawn_numbers(campaign.id) == once and again.draw.seed == first.draw.seed == "S-2026"
    draw.run_draw(db.session, campaign.id, 120, seed="another-seed")
    assert _drawn_numbers(campaign.id) != once


def test_every_entity_gets_its_allocation_and_no_number_twice(upload, campaign):
    upload("K1", mobiles(0, 300))
    upload("K2", mobiles(1000, 200))
    upload("U1", mobiles(2000, 100))
    result = draw.run_draw(db.session, campaign.id, 120, seed="S")
    units = campaign.units
    assert result.per_entity == {units["K1"].id: (60, 60), units["K2"].id: (40, 40), units["U1"].id: (20, 20)}
    rows = _drawn_numbers(campaign.id)
    assert len(rows) == len(set(rows)) == 120 == result.draw.drawn
    assert result.draw.warnings == []


def test_a_frame_smaller_than_its_allocation_is_drawn_whole_with_a_warning(upload, campaign):
    upload("K1", mobiles(0, 10))
    upload("U1", mobiles(100, 10))
    result = draw.run_draw(db.session, campaign.id, 30, seed="S", mode="equal")
    assert result.per_entity[campaign.units["K1"].id] == (15, 10)
    assert any("甲县" in w and "少于分配" in w for w in result.draw.warnings)


def test_the_draw_is_stratified_by_sample_type():
    candidates = ([sampling.Candidate(i, f"a{i:04d}", "企业") for i in range(300)]
                  + [sampling.Candidate(1000 + i, f"b{i:04d}", "脱贫户") for i in range(100)])
    result = sampling.draw_entity("S", 7, 40, candidates)
    strata = [c.stratum for c in result.drawn]
    assert (strata.count("企业"), strata.count("脱贫户")) == (30, 10)
    assert result.drawn == sampling.draw_entity("S", 7, 40, list(reversed(candidates))).drawn


def test_unlocked_frames_are_not_drawn_and_cases_use_the_entitys_phone_point(upload, campaign):
    upload("K1", mobiles(0, 20))
    upload("K2", mobiles(100, 20), lock=False)
    result = draw.run_draw(db.session, campaign.id, 10, seed="S")
    assert any("乙区" in w and "未锁定" in w for w in result.draw.warnings)
    point = db.session.scalar(select(CollectionPoint).where(CollectionPoint.channel == "phone"))
    k1 = campaign.units["K1"].id
    assert (point.evaluated_unit_id, point.collected_unit_id, point.code) == (k1, k1, None)
    k1_qr = db.session.scalar(select(CollectionPoint.questionnaire_id)
                              .where(CollectionPoint.code == campaign.codes["K1"]))
    assert point.questionnaire_id == k1_qr  # the same questionnaire definition as the QR channel


def test_no_redraw_once_calling_has_started(drawn, campaign):
    case = db.session.scalar(select(PhoneCase).limit(1))
    case.attempts = 1
    db.session.commit()
    with pytest.raises(draw.DrawRefused):
        draw.run_draw(db.session, campaign.id, 40, seed="fixed-seed")


def test_allocation_adds_up_to_the_total():
    shares = sampling.allocate(15_410, {i: 700 + i for i in range(94)})
    assert sum(shares.values()) == 15_410
