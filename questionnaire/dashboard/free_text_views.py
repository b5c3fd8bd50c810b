"""An admin opens the free text a resident typed, when a phone or ID number in it was masked at
intake (intake.free_text): to call the resident back. Every opening is an audit entry.

GET shows the masked answer and a button; only the POST decrypts (a link prefetched or clicked
by mistake opens nothing and writes nothing).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from questionnaire.accounts.auth import audit, office_login_required
from questionnaire.campaigns.service import load_definitions
from questionnaire.extensions import db
from questionnaire.intake.free_text import unseal
from questionnaire.intake.models import Response
from questionnaire.kernel.crypto import Cipher, DecryptionFailed
from questionnaire.kernel.web.errors import error_page

bp = Blueprint("free_text", __name__, url_prefix="/office/responses")


def _sealed_response(response_id: int):
    row = db.session.execute(select(Response.id, Response.campaign_id, Response.questionnaire_id, Response.answers,
                                    Response.free_text_sealed).where(Response.id == response_id)).first()
    if row is None or row.free_text_sealed is None:
        abort(404)
    return row


def _text_titles(row) -> dict[str, str]:
    """Question id -> title of the answer's free-text questions it answered."""
    definition = load_definitions(db.session, row.campaign_id).get(row.questionnaire_id)
    questions = definition.questions if definition else ()
    return {q.id: q.title for q in questions if q.type == "text" and q.id in row.answers}


@bp.get("/<int:response_id>/free-text")
@office_login_required(roles=("admin",))
def confirm(response_id: int):
    """The masked answer and the button that opens the text as typed."""
    row = _sealed_response(response_id)
    return render_template("dashboard/free_text.html", row=row, titles=_text_titles(row), typed=None)


@bp.post("/<int:response_id>/free-text")
@office_login_required(roles=("admin",))
def reveal(response_id: int):
    """Decrypt the text as typed for this admin; the audit log records who opened which answer."""
    row = _sealed_response(response_id)
    try:
        typed = unseal(Cipher(current_app.config["FIELD_ENCRYPTION_KEY"]), row.free_text_sealed)
    except DecryptionFailed:
        return error_page(409, "无法显示原文", "原文无法用当前的加密密钥解密（FIELD_ENCRYPTION_KEY 是否已更换？）")
    audit("free_text_reveal", f"response:{row.id}", questions=sorted(typed))
    return render_template("dashboard/free_text.html", row=row, titles=_text_titles(row), typed=typed)
