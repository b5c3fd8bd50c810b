"""Scope clauses select exactly the entry points and responses an account may see."""

from __future__ import annotations

from sqlalchemy import select

from questionnaire.accounts.models import OfficeUser
from questionnaire.intake.models import CollectionPoint
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope


def _visible_poster_codes(db_session, user_id):
    scope = Scope.for_user(db_session.get(OfficeUser, user_id))
    rows = db_session.execute(
        select(OrgUnit.code).join(CollectionPoint, CollectionPoint.collected_unit_id == OrgUnit.id)
        .where(scope.clause(CollectionPoint.collected_unit_id, CollectionPoint.evaluated_unit_id))
    ).scalars()
    return sorted(rows)


def test_admin_sees_every_entry_point(db_session, accounts):
    assert _visible_poster_codes(db_session, accounts.admin) == ["K1", "K1T1", "K1T2", "K2", "K2T1", "U1"]


def test_county_sees_itself_and_its_townships_only(db_session, accounts):
    assert _visible_poster_codes(db_session, accounts.k1) == ["K1", "K1T1", "K1T2"]
    assert _visible_poster_codes(db_session, accounts.k2) == ["K2", "K2T1"]


def test_unit_sees_its_own_entry_point_only(db_session, accounts):
    assert _visible_poster_codes(db_session, accounts.u1) == ["U1"]
    assert _visible_poster_codes(db_session, accounts.t1) == ["K1T1"]


def test_allows_unit_follows_the_county_tree(db_session, accounts, campaign):
    k1 = Scope.for_user(db_session.get(OfficeUser, accounts.k1))
    assert k1.allows_unit(campaign.units["K1T2"])
    assert not k1.allows_unit(campaign.units["K2T1"])
    assert not k1.allows_unit(campaign.units["U1"])
    assert k1.allows_county(campaign.units["K1"].id) and not k1.allows_county(campaign.units["K2"].id)


def test_inactive_account_sees_nothing(db_session, accounts):
    user = db_session.get(OfficeUser, accounts.admin)
    user.is_active = False
    assert Scope.for_user(user).role == "none"
    assert not Scope.for_user(user).allows_unit(db_session.scalars(select(OrgUnit)).first())
