"""Resident pages: open a QR entry, answer, see the thank-you page."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, g, render_template, request

from questionnaire.channels.qr import form_token
from questionnaire.channels.qr.office_entries import record_scan
from questionnaire.extensions import db, redis_store
from questionnaire.intake.identity import ip_hash, user_agent_class
from questionnaire.intake.participant import resolve_participant
from questionnaire.intake.ratelimit import stores_answers
from questionnaire.intake.services import entry_catalog, submission_store
from questionnaire.intake.submissions import Outcome, Submission
from questionnaire.kernel.errors import CampaignClosed, CampaignNotOpen, EntryDisabled, InvalidAnswers

bp = Blueprint("survey", __name__)


def _entry(code: str):
    return entry_catalog().resolve(db.session, code)


def _closed_page(entry, exc):
    """Render the Chinese page for a disabled code or a campaign that is not open."""
    return render_template("survey/unavailable.html", entry=entry, error=exc), exc.status


@bp.get("/")
def index():
    """Landing page for anyone who opens the bare domain."""
    return render_template("survey/index.html")


@bp.get("/s/<code>")
def show(code: str):
    """Show the questionnaire of an entry point (or why it cannot be answered)."""
    entry = _entry(code)
    record_scan(redis_store.client(current_app), entry)  # page views per entry (office list)
    try:
        entry.ensure_open(datetime.now(timezone.utc))
    except (EntryDisabled, CampaignNotOpen, CampaignClosed) as exc:
        return _closed_page(entry, exc)
    participant = resolve_participant(entry)
    existing = submission_store().status(entry, participant)
    if existing is not None:
        return render_template("survey/already.html", entry=entry, receipt=existing), 200
    return render_template(
        "survey/form.html", entry=entry, token=form_token.issue(entry.code), answers={}, errors={}
    )


@bp.post("/s/<code>")
@stores_answers
def submit(code: str):
    """Store the answers once; a double tap shows the same thank-you page."""
    entry = _entry(code)
    try:
        entry.ensure_open(datetime.now(timezone.utc))
    except (EntryDisabled, CampaignNotOpen, CampaignClosed) as exc:
        return _closed_page(entry, exc)
    try:
        submission_id, seconds = form_token.read(request.form.get("token"), entry.code)
    except form_token.FormTokenError:
        return render_template("survey/expired.html", entry=entry), 400
    participant = resolve_participant(entry)
    answers = {q.id: request.form.get(q.id, "") for q in entry.definition.questions}
    unknown = set(request.form) - set(answers) - {"token", "client_ms"}
    answers.update({key: request.form[key] for key in unknown})
    submission = Submission(
        participant=participant,
        submission_id=submission_id,
        answers=answers,
        duration_seconds=seconds,
        ip_hash=ip_hash(current_app.config["PARTICIPANT_HMAC_KEY"], request.remote_addr),
        user_agent_class=user_agent_class(request.user_agent.string),
        signed_submission_id=True,  # from the signed form token
    )
    try:
        receipt = submission_store().submit(entry, submission, admission=g.get("admission"))
    except InvalidAnswers as exc:
        fields = exc.detail.get("fields", {})
        if set(fields) - set(entry.definition.by_id):
            abort(400)  # fields we never rendered: not a person filling in the form
        return render_template(
            "survey/form.html", entry=entry, token=request.form["token"],
            answers=answers, errors=fields,
        ), 422
    if receipt.outcome is Outcome.ALREADY_PARTICIPATED:
        return render_template("survey/already.html", entry=entry, receipt=None), 409
    return render_template("survey/thanks.html", entry=entry, receipt=receipt)
