"""The organisation tree and targets from Excel: template, upload with a per-row report, preview, apply."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.accounts.auth import audit, request_ip_hash
from questionnaire.admin import tree_service, tree_sheet
from questionnaire.admin.web import admin_only, bp, campaign_or_404
from questionnaire.extensions import db
from questionnaire.kernel.web.http import attachment

UPLOAD_LIMIT = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tree_page(campaign, problems=None, status: int = 200):
    rows = tree_service.template_rows(db.session, campaign.id)
    counts = {kind: sum(1 for r in rows if r[0] == kind) for kind in ("county", "township", "city_unit")}
    return render_template("admin/tree.html", campaign=campaign, problems=problems or [], counts=counts,
                           with_target=sum(1 for r in rows if r[4])), status


@bp.get("/campaigns/<int:campaign_id>/tree")
@admin_only
def tree(campaign_id: int):
    """Download the template (the tree as it stands), upload the filled-in file."""
    return _tree_page(campaign_or_404(campaign_id))


@bp.get("/campaigns/<int:campaign_id>/tree-template.xlsx")
@admin_only
def tree_template(campaign_id: int):
    """The Excel template, pre-filled with the current tree and this campaign's targets."""
    campaign = campaign_or_404(campaign_id)
    data = tree_sheet.template(tree_service.template_rows(db.session, campaign_id))
    audit("download_tree_template", f"campaign:{campaign_id}")
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": attachment(f"组织架构与目标-{campaign.title}.xlsx"),
        "Cache-Control": "private, no-store"})


@bp.post("/campaigns/<int:campaign_id>/tree/preview")
@admin_only
def tree_preview(campaign_id: int):
    """Check every row; a clean file shows what would change, nothing is written yet."""
    campaign = campaign_or_404(campaign_id)
    upload = request.files.get("file")
    data = upload.read(UPLOAD_LIMIT + 1) if upload else b""
    if not data:
        return _tree_page(campaign, ["请选择填好的 Excel 文件（.xlsx）"], 422)
    if len(data) > UPLOAD_LIMIT:
        return _tree_page(campaign, ["文件过大（最多 5 MB）"], 413)
    result = tree_service.read_upload(db.session, data)
    if result.problems:
        return _tree_page(campaign, result.problems, 422)
    changes = tree_service.changes(db.session, campaign_id, result.spec)
    return render_template("admin/tree_preview.html", campaign=campaign, changes=changes,
                           token=tree_service.sign(current_app.config["SECRET_KEY"], result.spec),
                           filename=upload.filename or "")


@bp.post("/campaigns/<int:campaign_id>/tree/apply")
@admin_only
def tree_apply(campaign_id: int):
    """Write the previewed tree and targets (one transaction)."""
    campaign_or_404(campaign_id)
    spec = tree_service.unsign(current_app.config["SECRET_KEY"], request.form.get("token", ""))
    done = tree_service.apply(db.session, campaign_id, spec, current_user.id, request_ip_hash())
    flash(f"组织架构已更新：新增 {len(done.added)} 个单位，改名 {len(done.renamed)} 个，"
          f"目标变化 {len(done.targets)} 处。下一步：编辑问卷。")
    return redirect(url_for("admin.tree", campaign_id=campaign_id))
