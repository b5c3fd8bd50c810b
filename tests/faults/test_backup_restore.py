"""Backups that restore: pgBackRest archives the WAL of a cluster that keeps taking answers, takes
an online full backup, and a point-in-time restore into a new data directory holds every answer
acknowledged before the target and none stored after it; `flask rebuild-redis` against a fresh
Redis brings the dedup fast path back. Losing the primary outright loses at most the answers of
the last `archive_timeout` seconds (the RPO). The tally tables come back consistent with the rows.

A private cluster of its own (archiving needs a restart with settings the other fault tests do
not want), with its own Redis and gunicorn, on loopback ports (tests/faults/servers.py).
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import create_engine, text

from questionnaire.intake.identity import participant_hash
from questionnaire.kernel import keys
from tests.faults.backup import ARCHIVE_TIMEOUT_SECONDS, PgBackRest, pgbackrest_missing, start_restored
from tests.faults.checks import report
from tests.faults.conftest import SERVER_SETTINGS, _harness_app, _require_binaries
from tests.faults.load import COUNTY_ANSWERS, UNIT_ANSWERS, Load
from tests.faults.servers import (
    FAULT_HMAC_KEY,
    FAULT_SECRET_KEY,
    Gunicorn,
    PrivatePostgres,
    PrivateRedis,
    app_env,
    run_flask,
)

pytestmark = pytest.mark.faults


@dataclass
class ArchivedStack:
    pg: PrivatePostgres
    backrest: PgBackRest
    web: Gunicorn
    campaign_id: int
    codes: dict
    instance: str

    def load(self, **options) -> Load:
        return Load(self.web.base_url, self.codes, FAULT_SECRET_KEY, **options).start()


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """A cluster whose WAL pgBackRest archives, migrated, with the small campaign and gunicorn on it."""
    _require_binaries()
    problem = pgbackrest_missing()
    if problem:
        if os.environ.get("REQUIRE_REAL_BACKENDS") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    logs = tmp_path_factory.mktemp("backup-logs")
    pg, redis_ = PrivatePostgres(), PrivateRedis()
    backrest, web = PgBackRest(pg), None
    try:
        pg.init()
        pg.configure(backrest.archiving_settings())
        pg.restart()
        backrest.create_stanza()
        redis_.start()
        instance = str(tmp_path_factory.mktemp("backup-instance"))
        env = app_env(pg, redis_, instance, **SERVER_SETTINGS)
        migrated = run_flask(env, "db", "upgrade", "heads")
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        with _harness_app(pg, redis_).app_context():
            from tests.factories import import_small_campaign

            campaign = import_small_campaign(answer_scope="campaign")
        codes = {unit: code for unit, code in campaign.codes.items() if unit in ("K1", "K1T1", "K2T1", "U1")}
        web = Gunicorn(env, logs / "gunicorn.log").start(ready_path=f"/api/v1/entries/{codes['K1']}")
        yield ArchivedStack(pg, backrest, web, campaign.id, codes, instance)
    finally:
        if web is not None:
            web.stop()
        redis_.destroy()
        pg.destroy()
        backrest.destroy()


def stored(pg: PrivatePostgres, campaign_id: int) -> dict[str, datetime]:
    """submission_id -> created_at of every response of the campaign in that cluster."""
    engine = create_engine(pg.url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT submission_id, created_at FROM responses WHERE campaign_id = :c"),
                                     {"c": campaign_id}).all())
    finally:
        engine.dispose()


def wall_clock(monotonic_at: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(seconds=time.monotonic() - monotonic_at)


def restore_into_new_cluster(stack: ArchivedStack, until: datetime | None) -> tuple[PrivatePostgres, float]:
    restored = PrivatePostgres()
    started = time.monotonic()
    try:
        stack.backrest.restore(restored, until=until)
        start_restored(restored, timeout=600)
    except BaseException:
        restored.destroy()
        raise
    return restored, round(time.monotonic() - started, 2)


def test_a_point_in_time_restore_holds_every_answer_acknowledged_before_the_target(archived):
    load = archived.load()
    try:
        load.wait_for_acks(100)
        acks_before_backup = load.acknowledged()
        backup_seconds = archived.backrest.backup_full()  # online, while residents keep answering
        acks_during_backup = load.acknowledged() - acks_before_backup
        load.keep_going(2, more_acks=100)
        target, target_mono = datetime.now(timezone.utc), time.monotonic()
        load.keep_going(2, more_acks=100)  # answers after the target: the restore must not bring them
    finally:
        result = load.stop()
    archived.backrest.ship_current_wal()
    on_primary = stored(archived.pg, archived.campaign_id)
    before = {r.acknowledged for r in result.residents if r.acknowledged and r.acknowledged_at < target_mono}
    after = {r.acknowledged for r in result.residents if r.acknowledged and r.acknowledged_at >= target_mono}
    assert before and after and before | after <= set(on_primary)

    restored, restore_seconds = restore_into_new_cluster(archived, until=target)
    redis_ = PrivateRedis().start()
    try:
        back = stored(restored, archived.campaign_id)
        assert before <= set(back), f"{len(before - set(back))} acknowledged answers missing after the restore"
        assert set(back) <= set(on_primary)
        late = {sid for sid, created in back.items() if created > target}
        assert late == set(), "answers stored after the target came back"

        env = app_env(restored, redis_, archived.instance)
        rebuilt = run_flask(env, "rebuild-redis", "--campaign", str(archived.campaign_id))
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        assert f"markers={len(back)} stale_removed=0 accepted={len(back)}" in rebuilt.stdout
        # The tally queue came back with the rows (same transactions): counting it makes the tallies exact.
        assert run_flask(env, "tallies", "apply", "--campaign", str(archived.campaign_id)).returncode == 0
        verified = run_flask(env, "tallies", "verify", "--campaign", str(archived.campaign_id))
        assert verified.returncode == 0 and "exact" in verified.stdout, verified.stdout + verified.stderr
        dedup = check_dedup(restored, redis_, archived, [r for r in result.residents if r.acknowledged in before])
    finally:
        redis_.destroy()
        restored.destroy()
    report("pitr_restore", result, backup_seconds=round(backup_seconds, 2), acks_during_backup=acks_during_backup,
           acknowledged_before_target=len(before), present_after_restore=len(back),
           acknowledged_after_target=len(after), of_those_restored=len(after & set(back)),
           restore_seconds=restore_seconds, **dedup)


def check_dedup(restored, redis_, stack, residents) -> dict:
    """On the restored database and the rebuilt Redis: a resident who answered before the target is
    refused by the Redis marker, a new resident is accepted."""
    app = _harness_app(restored, redis_)
    client = app.test_client()
    signer = URLSafeSerializer(FAULT_SECRET_KEY, salt="participant-device")
    resident = residents[0]
    unit = next(u for u, c in stack.codes.items() if c == resident.code)
    answers = UNIT_ANSWERS if unit.startswith("U") else COUNTY_ANSWERS
    marker = redis_.client().get(keys.participant(
        stack.campaign_id, participant_hash(FAULT_HMAC_KEY, stack.campaign_id, "device", resident.device_id)))
    assert marker == keys.done_marker(resident.acknowledged).encode()
    again = client.post(f"/api/v1/entries/{resident.code}/responses",
                        json={"submission_id": str(uuid.uuid4()), "answers": answers},
                        headers={"X-Participant-Token": signer.dumps(resident.device_id)})
    assert again.status_code == 409
    new = client.post(f"/api/v1/entries/{resident.code}/responses",
                      json={"submission_id": str(uuid.uuid4()), "answers": answers},
                      headers={"X-Participant-Token": signer.dumps(uuid.uuid4().hex)})
    assert new.status_code == 201
    return {"second_answer_after_restore": again.status_code, "new_resident_after_restore": new.status_code}


def test_losing_the_primary_loses_at_most_the_answers_of_the_last_archive_timeout(archived):
    load = archived.load(give_up_after=3)
    load.wait_for_acks(50)
    load.keep_going(2 * ARCHIVE_TIMEOUT_SECONDS + 1, more_acks=100)
    archived.pg.stop("immediate")  # the primary and its disk are gone: only the repository is left
    lost_at = time.monotonic()
    result = load.stop()
    restored, restore_seconds = restore_into_new_cluster(archived, until=None)
    try:
        back = set(stored(restored, archived.campaign_id))
    finally:
        restored.destroy()
    acknowledged = [r for r in result.residents if r.acknowledged and r.acknowledged_at <= lost_at]
    lost = [r for r in acknowledged if r.acknowledged not in back]
    window = round(lost_at - min(r.acknowledged_at for r in lost), 2) if lost else 0.0
    kept_until = max((r.acknowledged_at for r in acknowledged if r.acknowledged in back), default=lost_at)
    # The newest archived answer is at most archive_timeout (plus the push) older than the loss.
    assert window <= 2 * ARCHIVE_TIMEOUT_SECONDS, (window, len(lost))
    assert len(acknowledged) - len(lost) > 0
    report("primary_lost", result, archive_timeout=ARCHIVE_TIMEOUT_SECONDS, acknowledged=len(acknowledged),
           restored=len(back & {r.acknowledged for r in acknowledged}), lost=len(lost),
           loss_window_seconds=window, newest_kept_before_loss_seconds=round(lost_at - kept_until, 2),
           restore_seconds=restore_seconds)
