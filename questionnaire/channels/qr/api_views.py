"""JSON API for the same resident flow (WeChat mini-program, kiosks)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Blueprint, current_app, g, jsonify, request

from questionnaire.extensions import db
from questionnaire.intake.identity import ip_hash, user_agent_class
from questionnaire.intake.participant import device_participant, participant_token
from questionnaire.intake.ratelimit import stores_answers
from questionnaire.intake.services import entry_catalog, submission_store
from questionnaire.intake.submissions import MAX_DURATION, Outcome, Submission
from questionnaire.kernel.web.errors import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _entry(code: str):
    return entry_catalog().resolve(db.session, code)


def _question_json(q) -> dict:
    data = {"id": q.id, "type": q.type, "title": q.title, "required": q.required, "section": q.section}
    if q.type == "text":
        data["max_length"] = q.max_length
    else:
        data["options"] = [{"value": o.value, "label": o.label} for o in q.options]
    return data


@bp.get("/entries/<code>")
def entry(code: str):
    """The questionnaire behind an entry code, and a participant token for this device."""
    e = _entry(code)
    participant = device_participant()
    return jsonify({
        "code": e.code,
        "campaign": {"id": e.campaign_id, "title": e.campaign_title,
                     "opens_at": e.opens_at.isoformat(), "closes_at": e.closes_at.isoformat(),
                     "status": "disabled" if not e.is_enabled else e.status_at(datetime.now(timezone.utc)),
                     "answer_scope": e.answer_scope, "organizer": e.organizer, "hotline": e.hotline},
        "evaluated_unit": {"id": e.evaluated_unit_id, "name": e.evaluated_unit_name},
        "poster_unit": {"id": e.collected_unit_id, "name": e.poster_unit_name},
        "questionnaire": {"id": e.questionnaire_id, "version": e.questionnaire_version,
                          "title": e.definition.title, "intro": e.definition.intro,
                          "questions": [_question_json(q) for q in e.definition.questions]},
        "participant_token": participant_token(participant),
    })


@bp.post("/entries/<code>/responses")
@stores_answers
def submit(code: str):
    """Submit a response; retries with the same submission_id return the first receipt."""
    e = _entry(code)
    payload = request.get_json(silent=True)
    if not request.is_json:
        return json_error(415, "unsupported_media_type", "请以 application/json 提交")
    if not isinstance(payload, dict):
        return json_error(400, "bad_json", "请求体必须是 JSON 对象")
    fields = {}
    submission_id = payload.get("submission_id")
    try:
        submission_id = str(uuid.UUID(str(submission_id))) if submission_id is not None else None
    except ValueError:
        fields["submission_id"] = "必须是 UUID"
    if submission_id is None and "submission_id" not in fields:
        fields["submission_id"] = "必填：客户端生成的 UUID，用于防止重复提交"
    duration = payload.get("duration_seconds")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)
                                 or not 0 <= duration <= MAX_DURATION):
        fields["duration_seconds"] = f"必须是 0 到 {MAX_DURATION} 之间的整数"
    unknown = set(payload) - {"submission_id", "answers", "duration_seconds"}
    for key in sorted(unknown)[:10]:
        fields[str(key)[:40]] = "未知字段"
    if "answers" not in payload:
        fields["answers"] = "必填"
    if fields:
        return json_error(422, "invalid_request", "请求字段有误", fields)

    receipt = submission_store().submit(e, Submission(
        participant=device_participant(),
        submission_id=submission_id,
        answers=payload["answers"],
        duration_seconds=duration,
        ip_hash=ip_hash(current_app.config["PARTICIPANT_HMAC_KEY"], request.remote_addr),
        user_agent_class=user_agent_class(request.user_agent.string),
    ), admission=g.get("admission"))
    if receipt.outcome is Outcome.ALREADY_PARTICIPATED:
        return json_error(409, "already_participated", "您已参与过本次调查，每人只能提交一次")
    status = 201 if receipt.outcome is Outcome.ACCEPTED else 200
    return jsonify({
        "status": receipt.outcome.value,
        "receipt_no": receipt.receipt_no,
        "submission_id": receipt.submission_id,
        "created_at": receipt.created_at.isoformat() if receipt.created_at else None,
    }), status


@bp.get("/entries/<code>/status")
def status(code: str):
    """Whether the calling participant has already answered what this entry asks about (answer_scope)."""
    e = _entry(code)
    participant = device_participant(create=False)
    receipt = submission_store().status(e, participant) if participant else None
    return jsonify({
        "participated": receipt is not None,
        "receipt_no": receipt.receipt_no if receipt else None,
    })
