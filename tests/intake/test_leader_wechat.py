"""A leader invitation inside WeChat: the first openid that opens it owns it; the QR channel's OAuth
flow brings the rater back to the invitation, not to a survey entry."""

from __future__ import annotations

from sqlalchemy import select

from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.extensions import db
from tests.channels.leader.conftest import leader_doc, roster_csv, token_of
from tests.intake.test_wechat_oauth import authorize_query


def _invitation_token(app) -> str:
    from questionnaire.campaign_file.importer import import_campaign
    from questionnaire.channels.leader.roster_service import import_roster

    campaign_id = import_campaign(db.session, leader_doc()).campaign_id
    import_roster(db.session, campaign_id, roster_csv(("王局长", "市教育局", "局长", "主要领导", "县区", "")),
                  "r.csv", app.config["PARTICIPANT_HMAC_KEY"], app.config["SECRET_KEY"])
    return token_of(app, db.session.scalar(select(LeaderRater)))


def _sign_in(client, token, wechat_code, fake, openid):
    query = authorize_query(client.get(f"/l/{token}"))
    fake.grant(wechat_code, openid)
    back = client.get("/wx/callback", query_string={"code": wechat_code, "state": query["state"]})
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/l/{token}")


def test_the_first_openid_owns_the_invitation_and_a_forwarded_one_is_refused(wechat_app, fake_wechat):
    token = _invitation_token(wechat_app)
    leader = wechat_app.test_client()
    _sign_in(leader, token, "CODE-L1", fake_wechat, "openid-leader")
    assert leader.get(f"/l/{token}").status_code == 200
    bound = db.session.scalar(select(LeaderInvitation.bound_identity))
    assert bound and "openid-leader" not in bound  # only a keyed HMAC

    forwarded = wechat_app.test_client()
    _sign_in(forwarded, token, "CODE-L2", fake_wechat, "openid-colleague")
    refused = forwarded.get(f"/l/{token}")
    assert refused.status_code == 403 and "该邀请已被使用" in refused.get_data(as_text=True)

    same_person_new_phone_session = wechat_app.test_client()
    _sign_in(same_person_new_phone_session, token, "CODE-L3", fake_wechat, "openid-leader")
    assert same_person_new_phone_session.get(f"/l/{token}").status_code == 200
