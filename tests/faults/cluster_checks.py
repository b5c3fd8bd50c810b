"""What the cluster fault test measures and proves per fault, and the cross-node office checks."""

from __future__ import annotations

import json
import re
import time
from collections import Counter

import requests
from sqlalchemy import text

from questionnaire.intake.identity import participant_hash
from questionnaire.tallies.leader import LEASE_NAMESPACE, TALLY_SCHEDULE
from tests.faults.checks import stored_rows
from tests.faults.load import LoadResult
from tests.faults.servers import FAULT_HMAC_KEY, wait_until

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def fault_figures(result: LoadResult, engine, campaign_id: int, fault_at: float) -> dict:
    """Acknowledged, stored, lost, participants twice and errors by status of one phase's residents."""
    rows = stored_rows(engine, campaign_id)
    per_participant = Counter(phash for phash, _ in rows)
    hashes = {r.number: participant_hash(FAULT_HMAC_KEY, campaign_id, "device", r.device_id) for r in result.residents}
    ours = set(hashes.values())
    acknowledged = {(hashes[r.number], r.acknowledged) for r in result.residents if r.acknowledged}
    stored = {row for row in rows if row[0] in ours}
    # Every answer a client saw that is not a success: the statuses a resident met on the way.
    errors = Counter("no answer" if a.status is None else str(a.status) for a in result.attempts
                     if a.status not in (200, 201) and not (a.kind == "second_answer" and a.status == 409))
    first = result.first_ack_sent_after(fault_at)
    return {
        "requests": len(result.attempts),
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "lost": len(acknowledged - stored),
        "stored_unacknowledged": len(stored - acknowledged),
        "participants_twice": sum(1 for h in ours if per_participant[h] > 1),
        "unacknowledged_residents": len(result.unacknowledged()),
        "errors_by_status": dict(sorted(errors.items())),
        "first_ack_after_fault_s": round(first - fault_at, 2) if first else None,
        "longest_gap_without_ack_s": longest_gap(result, fault_at),
    }


def longest_gap(result: LoadResult, since: float) -> float:
    """The longest stretch after `since` in which no resident was acknowledged (the outage as seen)."""
    times = sorted(r.acknowledged_at for r in result.residents if r.acknowledged_at and r.acknowledged_at >= since)
    marks = [since, *times]
    return round(max((b - a for a, b in zip(marks, marks[1:], strict=False)), default=0.0), 2)


def schedule_lease_holders(engine) -> int:
    """How many processes hold the tally schedule's lease (tallies/leader.py) right now."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = :ns AND objid = :k"),
            {"ns": LEASE_NAMESPACE, "k": TALLY_SCHEDULE}).scalar_one()


def leading_cron(crons) -> int | None:
    """Index of the cron process whose log says it leads now (its last lease line)."""
    leader = None
    for i, cron in enumerate(crons):
        lines = [line for line in cron.log_path.read_text(errors="replace").splitlines()
                 if "tally schedule leader" in line or "lease lost" in line or "standby" in line]
        if cron.alive() and lines and "tally schedule leader" in lines[-1]:
            leader = i
    return leader


def report_fault(name: str, figures: dict, **measured) -> str:
    line = "FAULTS " + json.dumps({"scenario": f"cluster: {name}", **figures, **measured}, ensure_ascii=False)
    print(line)
    return line


# --- office work spread over both web nodes ------------------------------------------------------

def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    return CSRF_RE.search(page.text).group(1)


def office_work_across_nodes(node_urls: list[str], campaign_id: int, username: str, password: str,
                             expected_total: int) -> dict:
    """Log in on node 1 with node 2's CSRF token, queue an export on node 2, poll it on node 1,
    download it from node 2: sessions, CSRF, job results and export files are not node-local."""
    one, two = node_urls
    s = requests.Session()
    token = _csrf(s, f"{two}/office/login")
    login = s.post(f"{one}/office/login", data={"csrf_token": token, "username": username, "password": password},
                   allow_redirects=False, timeout=10)
    assert login.status_code == 302, login.text[:500]
    token = _csrf(s, f"{one}/office/exports")
    queued = s.post(f"{two}/office/exports", allow_redirects=False, timeout=10, data={
        "csrf_token": token, "campaign": campaign_id, "dataset": "responses", "fmt": "csv", "include_flagged": "1"})
    assert queued.status_code == 303, queued.text[:500]
    job_path = queued.headers["Location"].split("://", 1)[-1].split("/", 1)[-1]

    def ready():
        state = s.get(f"{one}/{job_path}/status", timeout=10).json()
        assert state["status"] != "failed", state
        return state["ready"] and state

    state = wait_until(ready, 60, "the export job on a worker", interval=0.3)
    download = s.get(f"{two}/{job_path}/download", timeout=30)
    assert download.status_code == 200
    rows = download.content.decode("utf-8-sig").count("\n") - 1

    def dashboard():  # the replica the dashboard reads has replayed the last tally batch
        figures = s.get(f"{two}/dashboard/api/campaigns/{campaign_id}/figures?flagged=1", timeout=10)
        assert figures.status_code == 200
        return figures.json()["summary"]["total"] == expected_total and figures.json()

    figures = wait_until(dashboard, 30, "the dashboard to show every stored answer", interval=0.5)
    return {"export_rows": rows, "export_rows_expected": state["total"],
            "dashboard_total": figures["summary"]["total"], "as_of_label": figures["as_of_label"]}


def wait_for(check, timeout: float, what: str) -> float:
    """Poll until check() is true; return when it became true (monotonic)."""
    wait_until(check, timeout, what, interval=0.1)
    return time.monotonic()
