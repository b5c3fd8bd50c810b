"""Paper forms keyed in twice (spec L7): an item the two clerks disagree on is 待核对 and out of the
tallies until an admin resolves it, the other items count at once; paper ratings are tagged by
their channel."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent
from questionnaire.accounts.service import NewAccount, create_user
from questionnaire.channels.leader import paper
from questionnaire.channels.leader.models import LeaderPaperForm
from questionnaire.extensions import db
from questionnaire.intake.models import Response
from questionnaire.tallies import counting
from questionnaire.tallies.completion import ItemAlreadyAnswered, complete_response
from questionnaire.tallies.models import TallyAnswer
from tests.channels.leader.conftest import leader_campaign, ratings, token_of  # noqa: F401 - fixture
from tests.fixtures.accounts import PASSWORD

# The form is saved on the session, the rating by the intake's own connection: backend-dependent.
pytestmark = pytest.mark.both_backends


@pytest.fixture
def clerks(login_as, campaign, leader_campaign):
    create_user(db.session, NewAccount("clerk2", PASSWORD, "admin"))
    return login_as


def _key_in(client, invitation_id, unit_id, **answers):
    return client.post(f"/office/leader/invitations/{invitation_id}/paper/{unit_id}", data=answers or ratings())


def _responses():
    return list(db.session.scalars(select(Response)))


def _tallied(campaign_id, question_id):
    """(value, count) pairs counted for one question of the campaign."""
    return sorted(tuple(r) for r in db.session.execute(select(TallyAnswer.value, TallyAnswer.responses).where(
        TallyAnswer.campaign_id == campaign_id, TallyAnswer.question_id == question_id,
        TallyAnswer.responses != 0)).all())


def test_differences_are_found_item_by_item_and_only_the_agreed_items_are_kept():
    first, second = ratings("4", comment="好"), ratings("4", ecology="3")
    assert paper.differences(first, second, first) == {"ecology": ("4", "3"), "comment": ("好", "")}
    assert paper.unresolved(first, second, {"ecology": "3"}, first) == ["comment"]


def test_two_clerks_disagreeing_on_one_item_hold_that_item_until_an_admin_resolves_it(clerks, leader_campaign):
    invitation = leader_campaign.raters["王局长"].invitation.id
    k1 = leader_campaign.units["K1"].id
    assert _key_in(clerks("admin"), invitation, k1).status_code == 302
    same_clerk = _key_in(clerks("admin"), invitation, k1)
    assert same_clerk.status_code == 409 and "另一名工作人员" in same_clerk.get_data(as_text=True)
    assert _key_in(clerks("clerk2"), invitation, k1, **ratings("4", ecology="3")).status_code == 302
    form = db.session.scalar(select(LeaderPaperForm))
    [held] = _responses()
    assert form.status == paper.TO_CHECK and form.response_id == held.id
    assert "ecology" not in held.answers and held.answers["overall"] == "4"

    client = clerks("admin")
    listing = client.get(f"/office/leader/campaigns/{leader_campaign.id}/paper").get_data(as_text=True)
    assert "待核对" in listing and 'name="item_ecology"' in listing and 'name="item_overall"' not in listing
    assert client.post(f"/office/leader/paper/{form.id}/resolve", data={"item_ecology": "3"}).status_code == 302
    [row] = _responses()  # the same response, completed: still one answer for the rater and ratee
    assert row.id == held.id and (row.channel, row.evaluated_unit_id, row.collected_unit_id) == (
        "leader_paper", k1, leader_campaign.units["U1"].id)
    assert row.answers["ecology"] == "3" and row.answers["overall"] == "4"
    db.session.refresh(form)
    assert form.status == paper.STORED and form.response_id == row.id
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "leader_paper_resolved")) == {
        "items": ["ecology"]}


def test_paper_and_online_from_the_same_rater_count_once_whichever_came_first(clerks, leader_campaign, clean_app):
    invitation = leader_campaign.raters["王局长"].invitation.id
    k1, k2 = leader_campaign.units["K1"].id, leader_campaign.units["K2"].id
    _key_in(clerks("admin"), invitation, k1)
    _key_in(clerks("clerk2"), invitation, k1)  # both agree: stored at once
    rater = clean_app.test_client()
    token = token_of(clean_app, leader_campaign.raters["王局长"])
    ballot = rater.get(f"/l/{token}").get_data(as_text=True)
    assert "已评价 1 / 3" in ballot  # the paper rating counts for the online ballot too
    form_page = rater.get(f"/l/{token}/r/{k2}").get_data(as_text=True)
    token_field = re.search(r'name="token" value="([^"]+)"', form_page).group(1)
    assert rater.post(f"/l/{token}/r/{k2}", data={"token": token_field, **ratings()}).status_code == 303
    _key_in(clerks("admin"), invitation, k2)
    _key_in(clerks("clerk2"), invitation, k2)
    duplicate = db.session.scalar(select(LeaderPaperForm).where(LeaderPaperForm.ratee_unit_id == k2))
    assert duplicate.status == paper.DUPLICATE
    assert sorted(r.channel for r in _responses()) == ["leader", "leader_paper"]


def test_a_paper_form_for_the_raters_own_unit_is_refused_and_audited(clerks, leader_campaign):
    invitation = leader_campaign.raters["王局长"].invitation.id
    response = _key_in(clerks("admin"), invitation, leader_campaign.units["U1"].id)
    assert response.status_code == 403 and _responses() == []
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "leader_rating_refused"))[
        "source"] == "paper"
    page = clerks("admin").get(f"/office/leader/invitations/{invitation}/paper/{leader_campaign.units['U1'].id}")
    assert page.status_code == 404


def test_a_paper_pass_with_a_missing_item_is_shown_again_in_chinese(clerks, leader_campaign):
    invitation = leader_campaign.raters["王局长"].invitation.id
    response = _key_in(clerks("admin"), invitation, leader_campaign.units["K1"].id, **ratings(overall=""))
    assert response.status_code == 422 and "此题为必答题" in response.get_data(as_text=True)
    assert db.session.scalar(select(LeaderPaperForm)) is None


def test_the_agreed_items_count_now_and_the_resolved_item_later_with_the_tallies_exact(clerks, leader_campaign):
    invitation = leader_campaign.raters["王局长"].invitation.id
    k1 = leader_campaign.units["K1"].id
    _key_in(clerks("admin"), invitation, k1)
    _key_in(clerks("clerk2"), invitation, k1, **ratings("4", ecology="2"))
    counting.apply_pending(db.engine, leader_campaign.id)
    assert _tallied(leader_campaign.id, "overall") == [("4", 1)]
    assert _tallied(leader_campaign.id, "ecology") == []  # 待核对: out of the tallies
    assert counting.verify(db.engine, leader_campaign.id) == []

    form = db.session.scalar(select(LeaderPaperForm))
    clerks("admin").post(f"/office/leader/paper/{form.id}/resolve", data={"item_ecology": "2"})
    # The row was counted already: the decided item joins its bucket at once, nothing else moves.
    assert _tallied(leader_campaign.id, "ecology") == [("2", 1)]
    assert _tallied(leader_campaign.id, "overall") == [("4", 1)]
    assert counting.verify(db.engine, leader_campaign.id) == []
    assert counting.recount(db.engine, leader_campaign.id) == 1
    assert _tallied(leader_campaign.id, "ecology") == [("2", 1)]


def test_a_row_resolved_before_it_was_counted_is_counted_once_with_every_item(clerks, leader_campaign):
    invitation = leader_campaign.raters["王局长"].invitation.id
    k1 = leader_campaign.units["K1"].id
    _key_in(clerks("admin"), invitation, k1)
    _key_in(clerks("clerk2"), invitation, k1, **ratings("4", ecology="2"))
    form = db.session.scalar(select(LeaderPaperForm))
    clerks("admin").post(f"/office/leader/paper/{form.id}/resolve", data={"item_ecology": "4"})
    counting.apply_pending(db.engine, leader_campaign.id)
    assert _tallied(leader_campaign.id, "ecology") == [("4", 1)]
    assert counting.verify(db.engine, leader_campaign.id) == []


def test_completing_a_response_never_changes_an_item_it_already_holds(clerks, leader_campaign):
    invitation = leader_campaign.raters["王局长"].invitation.id
    _key_in(clerks("admin"), invitation, leader_campaign.units["K1"].id)
    _key_in(clerks("clerk2"), invitation, leader_campaign.units["K1"].id)
    [row] = _responses()
    with db.engine.begin() as conn:
        assert complete_response(conn, leader_campaign.id, row.id, {"overall": "4"}) == 0  # same value: no-op
        with pytest.raises(ItemAlreadyAnswered):
            complete_response(conn, leader_campaign.id, row.id, {"overall": "1"})
    db.session.expire_all()
    assert db.session.get(Response, row.id).answers["overall"] == "4"
