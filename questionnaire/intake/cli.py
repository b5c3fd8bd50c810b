"""`flask rebuild-redis`: the dedup fast path rebuilt from PostgreSQL; `flask mask-free-text`: numbers
in free text stored before they were masked at intake, masked now."""

from __future__ import annotations

import click
from flask import Flask, current_app

from questionnaire.extensions import db, redis_store
from questionnaire.intake import free_text_backfill, redis_rebuild
from questionnaire.kernel.crypto import Cipher


def init_app(app: Flask) -> None:
    app.cli.add_command(rebuild_redis_command)
    app.cli.add_command(mask_free_text_command)


@click.command("rebuild-redis")
@click.option("--campaign", "campaign_id", type=int, default=None, help="Only this campaign id.")
@click.option("--keep-stale", is_flag=True, help="Do not delete markers missing from PostgreSQL.")
def rebuild_redis_command(campaign_id: int | None, keep_stale: bool) -> None:
    """Rebuild the Redis dedup markers from PostgreSQL (safe while serving)."""
    client = redis_store.client(current_app)
    ids = [campaign_id] if campaign_id is not None else redis_rebuild.campaign_ids(db.engine)
    for cid in ids:
        try:
            s = redis_rebuild.rebuild_campaign(db.engine, client, cid, clear=not keep_stale)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"campaign={s.campaign_id} markers={s.markers_written} "
                   f"stale_removed={s.stale_keys_removed} accepted={s.accepted}")


@click.command("mask-free-text")
@click.option("--campaign", "campaign_id", type=int, default=None, help="Only this campaign id.")
def mask_free_text_command(campaign_id: int | None) -> None:
    """Mask phone and ID numbers in stored free-text answers; keep the text as typed encrypted (run once
    after upgrading to migration 0018, with FIELD_ENCRYPTION_KEY set; safe while serving, idempotent)."""
    cipher = Cipher(current_app.config["FIELD_ENCRYPTION_KEY"])
    ids = [campaign_id] if campaign_id is not None else redis_rebuild.campaign_ids(db.engine)
    for cid in ids:
        s = free_text_backfill.mask_campaign(db.engine, cipher, cid)
        click.echo(f"campaign={s.campaign_id} scanned={s.scanned} masked={s.masked}")
