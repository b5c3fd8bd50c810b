"""Export a campaign as a file and import it again: both directions give the same campaign.

The Hechi demo file has every section (scoring, leader, answer_scope, per-unit targets)."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select

from questionnaire.campaign_file.exporter import dump, export_campaign_doc
from questionnaire.campaign_file.importer import import_campaign, read_campaign_file, validate_campaign_doc
from questionnaire.campaigns.models import Questionnaire
from questionnaire.extensions import db
from questionnaire.results.models import ScoringScheme
from tests.conftest import reset_data

DEMO = Path(__file__).resolve().parents[2] / "demo" / "hechi-2026.yaml"


def _comparable(doc: dict) -> dict:
    """The file as the importer reads it: normalised, every default explicit."""
    return validate_campaign_doc(doc)


def test_the_exported_demo_file_imports_into_an_empty_database_as_the_same_campaign(clean_app, runner):
    original = read_campaign_file(DEMO)
    first = import_campaign(db.session, original)
    exported = export_campaign_doc(db.session, first.campaign_id)
    text = dump(exported)
    assert "scoring:" in text and "leader:" in text and "answer_scope:" in text and "target_responses:" in text
    assert _comparable(yaml.safe_load(text)) == _comparable(original)

    reset_data(clean_app)
    second = import_campaign(db.session, yaml.safe_load(text))
    again = export_campaign_doc(db.session, second.campaign_id)
    assert again == exported
    assert db.session.scalar(select(func.max(Questionnaire.version))) == 1


def test_importing_the_export_back_into_the_same_database_changes_nothing(clean_app):
    summary = import_campaign(db.session, read_campaign_file(DEMO))
    schemes = db.session.scalar(select(func.count()).select_from(ScoringScheme))
    doc = export_campaign_doc(db.session, summary.campaign_id)
    again = import_campaign(db.session, yaml.safe_load(dump(doc, "json")))
    assert again.units_created == 0 and again.entry_points_created == 0 and again.scheme_versions == []
    assert db.session.scalar(select(func.max(Questionnaire.version))) == 1
    assert db.session.scalar(select(func.count()).select_from(ScoringScheme)) == schemes


def test_the_cli_prints_the_file(clean_app, runner):
    summary = import_campaign(db.session, read_campaign_file(DEMO))
    result = runner.invoke(args=["export-campaign", str(summary.campaign_id)])
    assert result.exit_code == 0 and yaml.safe_load(result.output)["campaign"]["slug"] == "hechi-2026"
    assert runner.invoke(args=["export-campaign", "999"]).exit_code != 0
