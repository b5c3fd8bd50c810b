"""Campaigns in the browser: the list, create (or copy last year's), edit, import and export the file."""

from __future__ import annotations

from datetime import date

import yaml
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.accounts.auth import audit, request_ip_hash
from questionnaire.admin import campaign_form, campaign_service
from questionnaire.admin.problems import readable_all
from questionnaire.admin.web import admin_only, bp, campaign_or_404
from questionnaire.campaign_file.exporter import dump, export_campaign_doc
from questionnaire.campaign_file.importer import CampaignFileError, import_campaign
from questionnaire.campaigns import service as campaign_service_read
from questionnaire.extensions import db
from questionnaire.kernel.web.http import attachment
from questionnaire.kernel.web.params import optional_int

FILE_LIMIT = 2 * 1024 * 1024


def _form_page(form: dict, problems: list[str] | None = None, campaign=None, copy_from=None, status: int = 200):
    return render_template(
        "admin/campaign_form.html", form=form, problems=readable_all(problems or []), campaign=campaign,
        copy_from=copy_from, campaigns=campaign_service_read.campaigns(db.session),
        round_labels=campaign_form.ROUND_LABELS, scope_labels=campaign_form.SCOPE_LABELS,
    ), status


@bp.get("/")
@admin_only
def index():
    """Every campaign with its set-up steps; create one, or import a campaign file."""
    return render_template("admin/index.html", campaigns=campaign_service_read.campaigns(db.session),
                           problems=[])


@bp.route("/campaigns/new", methods=["GET", "POST"])
@admin_only
def new_campaign():
    """Create a campaign, blank or as a copy of an earlier one (?copy=<id>)."""
    copy_id = optional_int("copy")
    source = campaign_or_404(copy_id) if copy_id is not None else None
    if request.method == "GET":
        if source is not None:
            form = campaign_form.form_from_campaign(source, year_shift=max(1, date.today().year - source.year))
        else:
            form = campaign_form.empty_form(date.today().year)
        return _form_page(form, copy_from=source)
    section = campaign_form.section_from_form(request.form)
    try:
        campaign = campaign_service.create_campaign(db.session, section, current_user.id, request_ip_hash(), copy_id)
    except CampaignFileError as exc:
        db.session.rollback()
        return _form_page(dict(request.form), exc.problems, copy_from=source, status=422)
    copied = "，问卷、目标和计分方案已从原活动复制" if source else ""
    flash(f"已创建“{campaign.title}”{copied}。下一步：上传组织架构与目标。")
    return redirect(url_for("admin.tree", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_campaign(campaign_id: int):
    """Change a campaign's basic facts (title, times, target, 主办单位, 咨询电话, the one-answer rule)."""
    campaign = campaign_or_404(campaign_id)
    if request.method == "GET":
        return _form_page(campaign_form.form_from_campaign(campaign), campaign=campaign)
    section = campaign_form.section_from_form(request.form)
    try:
        campaign_service.update_campaign(db.session, campaign_id, section, current_user.id, request_ip_hash())
    except CampaignFileError as exc:
        db.session.rollback()
        return _form_page(dict(request.form), exc.problems, campaign=campaign, status=422)
    flash("基本信息已保存")
    return redirect(url_for("admin.edit_campaign", campaign_id=campaign_id))


@bp.get("/campaigns/<int:campaign_id>/campaign-file")
@admin_only
def export_file(campaign_id: int):
    """The campaign as a campaign file (YAML, or ?fmt=json): keep it, edit it, import it next year."""
    campaign = campaign_or_404(campaign_id)
    fmt = "json" if request.args.get("fmt") == "json" else "yaml"
    text = dump(export_campaign_doc(db.session, campaign_id), fmt)
    audit("export_campaign_file", f"campaign:{campaign_id}", format=fmt)
    mimetype = "application/json" if fmt == "json" else "application/yaml"
    return Response(text, mimetype=mimetype, headers={
        "Content-Disposition": attachment(f"活动文件-{campaign.title}.{fmt}"), "Cache-Control": "private, no-store"})


@bp.post("/campaign-file")
@admin_only
def import_file():
    """Import a campaign file (YAML or JSON) as `flask import-campaign` does: all or nothing."""
    upload = request.files.get("file")
    data = upload.read(FILE_LIMIT + 1) if upload else b""
    problems = []
    if not data:
        problems = ["请选择要导入的活动文件（.yaml 或 .json）"]
    elif len(data) > FILE_LIMIT:
        problems = ["文件过大（最多 2 MB）"]
    else:
        try:
            summary = import_campaign(db.session, yaml.safe_load(data.decode("utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems = [f"文件格式错误：{exc}"]
        except CampaignFileError as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            audit("import_campaign_file", f"campaign:{summary.campaign_id}", units_created=summary.units_created,
                  entry_points_created=summary.entry_points_created)
            flash(f"活动文件已导入：新增单位 {summary.units_created} 个，新增入口 {summary.entry_points_created} 个，"
                  f"问卷 {len(summary.questionnaires)} 份")
            return redirect(url_for("admin.index"))
    return render_template("admin/index.html", campaigns=campaign_service_read.campaigns(db.session),
                           problems=problems), 422
