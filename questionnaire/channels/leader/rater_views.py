"""Rater pages (no account, phone-first): open the invitation, rate one ratee per page, submit.

The first opening binds the invitation to the opener's WeChat identity (a device identity when
no official account is configured, as the QR channel does); any other identity gets 403
"该邀请已被使用". Each form carries a signed token (CSRF guard and idempotency key).
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from questionnaire.channels.leader import ballots
from questionnaire.extensions import db
from questionnaire.intake.identity import ip_hash
from questionnaire.intake.participant import device_participant
from questionnaire.intake.services import submission_store
from questionnaire.intake.wechat import wechat_identity_for
from questionnaire.kernel.errors import InvalidAnswers
from questionnaire.kernel.web.errors import error_page

bp = Blueprint("leader", __name__)

FORM_MAX_AGE = 12 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="leader-form")


def _form_token(ballot: ballots.Ballot, ratee_id: int) -> str:
    return _serializer().dumps({"sid": str(uuid.uuid4()), "inv": ballot.invitation.id, "ratee": ratee_id,
                                "t": time.time()})


def _read_form_token(ballot: ballots.Ballot, ratee_id: int) -> tuple[str, int] | None:
    try:
        data = _serializer().loads(request.form.get("token") or "", max_age=FORM_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("inv") != ballot.invitation.id or data.get("ratee") != ratee_id:
        return None
    return str(data["sid"]), max(0, int(time.time() - float(data["t"])))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hmac_key() -> str:
    return current_app.config["PARTICIPANT_HMAC_KEY"]


def _ip_hash() -> str | None:
    return ip_hash(_hmac_key(), request.remote_addr)


def _ballot_and_identity(token: str) -> tuple[ballots.Ballot, str]:
    ballot = ballots.load_ballot(db.session, _hmac_key(), token)
    if current_app.config.get("WECHAT_APPID"):
        participant = wechat_identity_for(url_for("leader.ballot", token=token))
    else:
        participant = device_participant()
    return ballot, ballots.identity_digest(_hmac_key(), ballot.campaign.id, participant)



@bp.get("/l/<token>")
def ballot(token: str):
    """The rater's list of ratees with done / not done, and the 提交 button."""
    ballot, identity = _ballot_and_identity(token)
    ballots.open_ballot(db.session, ballot, identity, _now(), _ip_hash())
    return render_template("leader/ballot.html", ballot=ballot, token=token,
                           submit_token=_form_token(ballot, 0))


@bp.get("/l/<token>/r/<int:unit_id>")
def rate_form(token: str, unit_id: int):
    """One ratee's questionnaire."""
    ballot, identity = _ballot_and_identity(token)
    ballots.open_ballot(db.session, ballot, identity, _now(), _ip_hash())
    ratee = ballot.ratee(unit_id)
    if ratee is None:
        return error_page(403, "无需评价该单位", "按回避规定，您不参与对该单位的评价。")
    if ballot.invitation.submitted_at is not None or unit_id in ballot.rated:
        return redirect(url_for("leader.ballot", token=token))
    point = ballots.rating_point(db.session, ballot, unit_id)
    return render_template("leader/rate.html", ballot=ballot, token=token, ratee=ratee,
                           definition=point.definition, form_token=_form_token(ballot, unit_id),
                           answers={}, errors={})


@bp.post("/l/<token>/r/<int:unit_id>")
def rate(token: str, unit_id: int):
    """Store one rating; a ratee outside the assignment is refused (403), audited, nothing stored."""
    ballot, identity = _ballot_and_identity(token)
    signed = _read_form_token(ballot, unit_id)
    if signed is None:
        ballots.check_can_rate(db.session, ballot, identity, unit_id, _now(), _ip_hash())
        return error_page(400, "页面已过期", "请返回评价列表后重新填写。")
    submission_id, seconds = signed
    definition = ballots.rating_point(db.session, ballot, unit_id).definition if ballot.ratee(unit_id) else None
    questions = definition.questions if definition else ()
    answers = {q.id: request.form.get(q.id, "") for q in questions}
    try:
        ballots.rate(db.session, submission_store(), ballot, identity, unit_id, submission_id, answers, _now(),
                     duration_seconds=seconds, ip_hash=_ip_hash())
    except InvalidAnswers as exc:
        return render_template("leader/rate.html", ballot=ballot, token=token, ratee=ballot.ratee(unit_id),
                               definition=definition, form_token=request.form["token"], answers=answers,
                               errors=exc.detail.get("fields", {})), 422
    remaining = ballot.remaining
    if remaining:
        return redirect(url_for("leader.rate_form", token=token, unit_id=remaining[0].id), 303)
    return redirect(url_for("leader.ballot", token=token), 303)


@bp.post("/l/<token>/submit")
def submit(token: str):
    """提交: lock the ballot once every ratee is rated."""
    ballot, identity = _ballot_and_identity(token)
    if _read_form_token(ballot, 0) is None:
        return error_page(400, "页面已过期", "请返回评价列表后重新提交。")
    ballots.submit_ballot(db.session, ballot, identity, _now())
    return render_template("leader/done.html", ballot=ballot)
