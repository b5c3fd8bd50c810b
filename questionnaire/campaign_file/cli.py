"""`flask import-campaign`: the campaign file import."""

from __future__ import annotations

import click
from flask import Flask

from questionnaire.campaign_file.exporter import dump, export_campaign_doc
from questionnaire.campaign_file.importer import (
    CampaignFileError,
    import_campaign,
    read_campaign_file,
    validate_campaign_doc,
)
from questionnaire.extensions import db
from questionnaire.kernel.errors import NotInScope


def init_app(app: Flask) -> None:
    app.cli.add_command(import_campaign_command)
    app.cli.add_command(export_campaign_command)


@click.command("export-campaign")
@click.argument("campaign_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of YAML.")
def export_campaign_command(campaign_id: int, as_json: bool) -> None:
    """Print a campaign as a campaign file (the import's inverse)."""
    try:
        doc = export_campaign_doc(db.session, campaign_id)
    except NotInScope:
        raise click.ClickException(f"调查活动 {campaign_id} 不存在") from None
    click.echo(dump(doc, "json" if as_json else "yaml"))


@click.command("import-campaign")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Only validate the file; write nothing.")
def import_campaign_command(path: str, check: bool) -> None:
    """Validate and import a campaign file (YAML or JSON)."""
    try:
        doc = read_campaign_file(path)
        if check:
            validate_campaign_doc(doc)
            click.echo("文件校验通过 (valid)")
            return
        summary = import_campaign(db.session, doc)
    except CampaignFileError as exc:
        lines = [f"导入失败，共 {len(exc.problems)} 处问题：", *(f"  - {p}" for p in exc.problems)]
        raise click.ClickException("\n".join(lines)) from None
    click.echo(
        f"imported campaign id={summary.campaign_id} new_units={summary.units_created} "
        f"questionnaires={','.join(summary.questionnaires)} new_entry_points={summary.entry_points_created} "
        f"new_scheme_versions={','.join(summary.scheme_versions) or '-'}"
    )
