"""The questionnaire editor: questions added, edited, moved and deleted, a live phone-sized preview
(the real resident template, drawn here into an iframe), and a save that versions."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.accounts.auth import request_ip_hash
from questionnaire.admin import editor_form, questionnaire_service
from questionnaire.admin.problems import readable_all
from questionnaire.admin.web import admin_only, bp, campaign_or_404
from questionnaire.campaign_file.exporter import questionnaire_data
from questionnaire.campaigns.definition import DefinitionError
from questionnaire.extensions import db
from questionnaire.kernel.web.http import CSP

# The preview is framed by the editor, on the same site; everything else stays unframeable.
PREVIEW_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
STARTER = {"title": "满意度调查问卷", "questions": [editor_form.new_question("rating", set())]}


@bp.get("/campaigns/<int:campaign_id>/questionnaires")
@admin_only
def questionnaires(campaign_id: int):
    """The campaign's questionnaires, their versions and answers; start a new one (?key=...)."""
    campaign = campaign_or_404(campaign_id)
    key = request.args.get("key", "").strip()
    if key:
        if not editor_form.valid_key(key):
            raise questionnaire_service.BadQuestionnaireKey()
        return redirect(url_for("admin.edit_questionnaire", campaign_id=campaign_id, key=key))
    return render_template("admin/questionnaires.html", campaign=campaign,
                           items=questionnaire_service.summaries(db.session, campaign_id), error=None)


def _editor(campaign, key: str, doc: dict, problems=(), status: int = 200, saved_row=None):
    row = saved_row or questionnaire_service.find(db.session, campaign.id, key)
    answers = questionnaire_service.answers_of(db.session, row.id) if row is not None else 0
    return render_template(
        "admin/editor.html", campaign=campaign, key=key, doc=doc, rows=editor_form.form_rows(doc),
        problems=readable_all(list(problems)), row=row, answers=answers, type_labels=editor_form.TYPE_LABELS,
        scale_labels=editor_form.SCALE_LABELS, is_new=row is None,
    ), status


@bp.route("/campaigns/<int:campaign_id>/questionnaires/<key>", methods=["GET", "POST"])
@admin_only
def edit_questionnaire(campaign_id: int, key: str):
    """Edit one questionnaire (a new key starts a new one); buttons move, delete, add and save."""
    campaign = campaign_or_404(campaign_id)
    if not editor_form.valid_key(key):
        raise questionnaire_service.BadQuestionnaireKey()
    if request.method == "GET":
        row = questionnaire_service.find(db.session, campaign_id, key)
        return _editor(campaign, key, questionnaire_data(row.definition) if row else STARTER)
    doc = editor_form.questionnaire_from_form(request.form)
    op, arg = editor_form.parse_op(request.form.get("op", ""))
    if op != "save":
        return _editor(campaign, key, editor_form.apply_op(doc, op, arg))
    try:
        row, new_version = questionnaire_service.save(db.session, campaign_id, key, doc,
                                                      request.form.get("confirm_new_version") == "1",
                                                      current_user.id, request_ip_hash())
    except DefinitionError as exc:
        db.session.rollback()
        return _editor(campaign, key, doc, exc.problems, 422)
    except questionnaire_service.NewVersionNotConfirmed as exc:
        db.session.rollback()
        return _editor(campaign, key, doc, [exc.message], 409)
    flash(f"问卷已保存为第 {row.version} 版" + ("；已收到的答卷仍按原版本保存和统计" if new_version else ""))
    return redirect(url_for("admin.edit_questionnaire", campaign_id=campaign_id, key=key))


@bp.route("/campaigns/<int:campaign_id>/questionnaires/<key>/preview", methods=["GET", "POST"])
@admin_only
def preview_questionnaire(campaign_id: int, key: str):
    """The resident page of the saved questionnaire (GET) or of the editor's draft (POST)."""
    campaign_or_404(campaign_id)
    if request.method == "POST":
        doc = editor_form.questionnaire_from_form(request.form)
    else:
        row = questionnaire_service.find(db.session, campaign_id, key)
        doc = questionnaire_data(row.definition) if row else STARTER
    try:
        definition = questionnaire_service.check(doc)
    except DefinitionError as exc:
        html = render_template("admin/preview_problems.html", problems=readable_all(exc.problems))
    else:
        entry = questionnaire_service.preview_entry(db.session, campaign_id, definition)
        html = render_template("survey/form.html", entry=entry, token="", answers={}, errors={})
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response

