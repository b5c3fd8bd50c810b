"""The administration blueprint and what its views share: admin-only access, the campaign, the
audit's address hash. Every route here is the performance office's alone (403 for county and
unit accounts: tests/admin/test_admin_scope_routes.py)."""

from __future__ import annotations

from flask import Blueprint

from questionnaire.accounts.auth import office_login_required
from questionnaire.campaigns.models import Campaign
from questionnaire.campaigns.service import get_campaign
from questionnaire.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/office/admin")

admin_only = office_login_required(roles=("admin",))

# The set-up of a campaign, in the order a new office goes through it (the step bar on each page).
STEPS = (
    ("admin.edit_campaign", "基本信息"),
    ("admin.tree", "组织架构与目标"),
    ("admin.questionnaires", "问卷"),
    ("office.entries", "入口与海报"),
    ("admin.accounts", "账号"),
)


def campaign_or_404(campaign_id: int) -> Campaign:
    return get_campaign(db.session, campaign_id)
