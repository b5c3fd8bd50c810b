"""Resident pages: open a QR entry, answer, see the thank-you page."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from markupsafe import escape

from questionnaire.channels.qr import form_token
from questionnaire.channels.qr.office_entries import record_scan
from questionnaire.extensions import db, redis_store
from questionnaire.intake.identity import ip_hash, user_agent_class
from questionnaire.intake.participant import resolve_participant
from questionnaire.intake.ratelimit import stores_answers
from questionnaire.intake.services import entry_catalog, submission_store
from questionnaire.intake.submissions import Outcome, Submission
from questionnaire.intake.wechat import WeChatUnavailable
from questionnaire.intake.wechat_jsapi import JsapiTickets, share_config
from questionnaire.kernel.errors import CampaignClosed, CampaignNotOpen, EntryDisabled, InvalidAnswers
from questionnaire.kernel.web.errors import json_error

bp = Blueprint("survey", __name__)

# Where the receipt number goes in a thank-you page rendered once per entry (see _thanks_page).
RECEIPT_SLOT = "\x00receipt-no\x00"


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
    form = request.form  # once: each `request.` is a context-local lookup
    answers = {q.id: form.get(q.id, "") for q in entry.definition.questions}
    unknown = set(form) - set(answers) - {"token", "client_ms"}
    answers.update({key: form[key] for key in unknown})
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
    return _thanks_page(entry, receipt)


def _thanks_page(entry, receipt) -> str:
    """The thank-you page. It differs between residents of one entry only in the receipt
    number, so it is rendered once per cached entry and the number filled in: Jinja with the
    context processors cost ~0.13 ms per submission, the largest cost left on the form path."""
    parts = entry.memo.get("thanks")
    if parts is None:
        page = render_template("survey/thanks.html", entry=entry, receipt=SimpleNamespace(receipt_no=RECEIPT_SLOT))
        parts = page.split(RECEIPT_SLOT)
        if len(parts) != 2:  # the template shows the number more or less than once: render every time
            parts = ()
        entry.memo["thanks"] = parts
    if not parts or not receipt.receipt_no:
        return render_template("survey/thanks.html", entry=entry, receipt=receipt)
    return parts[0] + str(escape(receipt.receipt_no)) + parts[1]  # str: Markup would escape the page


@bp.get("/s/<code>/share")
def share(code: str):
    """The signed JS-SDK config and card text for this entry's page (only with an official account)."""
    config = current_app.config
    if not config.get("WECHAT_APPID"):
        return json_error(404, "share_unavailable", "未配置微信公众号")
    entry = _entry(code)
    page = f"{config['PUBLIC_BASE_URL']}{url_for('survey.show', code=entry.code)}"
    url = request.args.get("url", "").split("#", 1)[0]
    # Only this entry's own page (WeChat appends ?from=... to a forwarded link): no signing service.
    if len(url) > 1024 or (url != page and not url.startswith(page + "?")):
        return json_error(400, "bad_url", "只能为本问卷页面签名", {"url": "必须是本问卷页面的地址"})
    tickets = JsapiTickets(redis_store.client(current_app), config["WECHAT_APPID"], config["WECHAT_SECRET"] or "",
                           config["WECHAT_API_BASE"])
    try:
        signed = share_config(tickets, url)
    except WeChatUnavailable:
        return json_error(503, "wechat_unavailable", "微信服务暂时无法连接")
    desc = f"{entry.definition.title}：请为{entry.evaluated_unit_name}的工作打分，匿名填写，约需 1 分钟。"
    if entry.organizer:
        desc += f"主办单位：{entry.organizer}"
    return jsonify({**signed, "title": entry.campaign_title, "desc": desc, "link": page,
                    "imgUrl": config["PUBLIC_BASE_URL"] + url_for("static", filename="img/share.png")})
