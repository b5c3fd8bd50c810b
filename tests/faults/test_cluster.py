"""Survive the loss of any one server during a drive (README, "Running as a cluster").

The whole topology (tests/faults/cluster.py) runs under a load of residents sent through
HAProxy while, one after the other: a web node, the Redis master, the PostgreSQL primary
(the whole server: Patroni, postmaster and backends) and an RQ tally worker are killed
with SIGKILL. Per fault it prints acknowledged / stored / lost / participants twice /
errors by status / seconds to the first acknowledgement after the fault / tallies exact,
and proves lost = 0, twice = 0, no 5xx but the clear 503, every resident served in the end.

Needs Debian's patroni, etcd-server and haproxy (config/cluster/install-packages.sh; .ci/run
installs them): skipped without them, a failure with REQUIRE_CLUSTER=1.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import pytest

from questionnaire.settings import engine_options, normalise_database_url
from tests.faults.checks import tallies_converge
from tests.faults.cluster import Cluster, missing_cluster_binaries
from tests.faults.cluster_checks import (
    fault_figures,
    leading_cron,
    office_work_across_nodes,
    report_fault,
    schedule_lease_holders,
    wait_for,
)
from tests.faults.conftest import SERVER_SETTINGS
from tests.faults.load import Load
from tests.faults.servers import FAULT_HMAC_KEY, FAULT_SECRET_KEY, VENV_BIN, run_flask

pytestmark = pytest.mark.faults

OFFICE_USER, OFFICE_PASSWORD = "cluster-admin", "cluster-admin-password"


@dataclass
class ClusterStack:
    cluster: Cluster
    env: dict
    harness: object
    campaign_id: int
    codes: dict

    def engine(self):
        from questionnaire.extensions import db

        with self.harness.app_context():
            return db.engine


def _app_env(cluster: Cluster) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "DATABASE_", "REDIS_"))}
    env.update(SERVER_SETTINGS)
    env.update({
        "QUESTIONNAIRE_ENV": "production", "DATABASE_URL": cluster.database_url,
        "READ_DATABASE_URL": cluster.read_database_url,
        "REDIS_SENTINELS": cluster.sentinels_setting, "REDIS_SENTINEL_SERVICE": "questionnaire",
        "SECRET_KEY": FAULT_SECRET_KEY, "PARTICIPANT_HMAC_KEY": FAULT_HMAC_KEY,
        "PUBLIC_BASE_URL": "http://survey.test", "FLASK_APP": "wsgi", "PYTHONUNBUFFERED": "1",
        # Every node gets its own instance folder (cluster.start_app_nodes): nothing there may matter.
        # Export files go to the one shared directory, as a shared mount would be in production.
        "INSTANCE_PATH": str(cluster.root / "instance-cli"), "EXPORT_DIR": str(cluster.root / "shared-exports"),
        "TRUSTED_PROXY_HOPS": "1", "SESSION_COOKIE_SECURE": "false",
        "WEB_CONCURRENCY": "2", "WEB_THREADS": "2",
    })
    return env


@pytest.fixture(scope="module")
def cluster_stack():
    problem = missing_cluster_binaries()
    if problem:
        if os.environ.get("REQUIRE_CLUSTER") == "1":
            pytest.fail(f"cluster fault test cannot run: {problem}")
        pytest.skip(f"cluster fault test needs the cluster packages: {problem}")
    cluster = Cluster()
    try:
        cluster.start_servers()
        env = _app_env(cluster)
        migrated = run_flask(env, "db", "upgrade", "heads")
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        created = run_flask(env, "create-user", OFFICE_USER, "--role", "admin", "--password", OFFICE_PASSWORD)
        assert created.returncode == 0, created.stdout + created.stderr
        from questionnaire.app import create_app

        harness = create_app({
            "TESTING": True, "SECRET_KEY": FAULT_SECRET_KEY, "PARTICIPANT_HMAC_KEY": FAULT_HMAC_KEY,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(cluster.database_url),
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(cluster.database_url, {}),
            "REDIS_URL": None, "REDIS_SENTINELS": tuple(("127.0.0.1", p) for p in cluster.sentinel_ports),
            "RQ_ASYNC": True, "RATELIMIT_ENABLED": False,
        })
        with harness.app_context():
            from tests.factories import import_small_campaign

            campaign = import_small_campaign()
        codes = {unit: code for unit, code in campaign.codes.items() if unit in ("K1", "K1T1", "K2T1", "U1")}
        cluster.start_haproxy()
        cluster.start_app_nodes(env, VENV_BIN)
        yield ClusterStack(cluster, env, harness, campaign.id, codes)
    finally:
        cluster.destroy()


def _phase(stack: ClusterStack, name: str, fault, recovered=None, after_seconds: float = 3.0) -> dict:
    """Run a fresh load of residents, break something under it, let it recover, check and print."""
    engine = stack.engine()
    load = Load(stack.cluster.base_url, stack.codes, FAULT_SECRET_KEY, threads=4, give_up_after=90).start()
    try:
        load.wait_for_acks(25, timeout=60)
        detail = fault() or {}
        fault_at = time.monotonic()  # the kill is done (SIGKILL delivered, the process reaped)
        if recovered is not None:
            detail.update(recovered(fault_at))
            # Acknowledged between the kill and the promotion: served without the lost server.
            until = detail.pop("recovered_at")
            detail["acknowledged_while_failing_over"] = sum(
                1 for r in load.residents if r.acknowledged_at and fault_at <= r.acknowledged_at < until)
        load.keep_going(seconds=after_seconds, more_acks=25, timeout=90)
    finally:
        result = load.stop()
    figures = fault_figures(result, engine, stack.campaign_id, fault_at)
    figures["tallies_exact_after_s"] = tallies_converge(engine, stack.campaign_id, timeout=90)
    figures["tallies_verify"] = "exact"
    figures["schedule_lease_holders"] = schedule_lease_holders(engine)
    failures = stack.cluster.haproxy_failures()
    if failures:  # what HAProxy itself says about any request it could not pass on (diagnosis)
        detail["haproxy_failures"] = failures[-5:]
    report_fault(name, figures, **detail)
    return figures


def _assert_survived(figures: dict) -> None:
    assert figures["lost"] == 0
    assert figures["participants_twice"] == 0
    assert figures["stored_unacknowledged"] == 0  # nothing a client was told "not saved" slipped in
    assert figures["stored"] == figures["acknowledged"]
    assert figures["unacknowledged_residents"] == 0  # every resident's retries ended in a receipt
    # The only refusal a resident may see is the clear "not saved yet, try again" 503.
    assert set(figures["errors_by_status"]) <= {"503"}, figures["errors_by_status"]
    assert figures["schedule_lease_holders"] == 1


def test_losing_any_one_server_loses_no_acknowledged_answer(cluster_stack):
    stack, cluster = cluster_stack, cluster_stack.cluster
    nodes = [f"http://127.0.0.1:{p}" for p in cluster.web_ports]

    results = {"baseline": _phase(stack, "no fault (baseline)", lambda: None)}

    # Nothing node-local: log in on one node, export on the other, download from the first.
    office = office_work_across_nodes(nodes, stack.campaign_id, OFFICE_USER, OFFICE_PASSWORD,
                                      expected_total=results["baseline"]["stored"])
    assert office["export_rows"] == office["export_rows_expected"] == results["baseline"]["stored"]
    assert "只读副本" in office["as_of_label"]  # the dashboard read the replica and says how far behind
    report_fault("office work across both web nodes (no fault)", office)

    results["web"] = _phase(stack, "kill -9 web node 1 (gunicorn master and workers)", cluster.web[0].kill)

    def kill_redis_master():
        port = cluster.redis_master()
        cluster.redis[cluster.redis_ports.index(port)].kill()
        return {"redis_master_killed": port}

    def redis_promoted(fault_at):
        promoted_at = wait_for(lambda: cluster.redis_master() not in (None, cluster.redis_ports[0]), 30,
                               "the sentinels to promote the replica")
        return {"redis_failover_s": round(promoted_at - fault_at, 2), "recovered_at": promoted_at}

    results["redis"] = _phase(stack, "kill -9 redis master (sentinels promote the replica)", kill_redis_master,
                              redis_promoted)

    old_primary = cluster.pg_primary()

    def kill_pg_primary():
        old_primary.kill_server()
        return {"postgres_primary_killed": old_primary.name}

    def pg_promoted(fault_at):
        promoted_at = wait_for(lambda: (p := cluster.pg_primary()) is not None and p is not old_primary, 60,
                               "Patroni to promote the replica")
        # HAProxy's primary port (config/haproxy.cfg, Patroni's /primary check) follows the promotion too.
        via_lb = wait_for(lambda: cluster.primary_behind_haproxy() == cluster.pg_primary().pg_port, 30,
                          "haproxy's postgres_primary port to reach the new primary")
        return {"postgres_failover_s": round(promoted_at - fault_at, 2), "new_primary": cluster.pg_primary().name,
                "haproxy_primary_port_follows_s": round(via_lb - fault_at, 2), "recovered_at": promoted_at}

    results["postgres"] = _phase(stack, "kill -9 postgresql primary server (Patroni promotes the replica)",
                                 kill_pg_primary, pg_promoted, after_seconds=2)

    def kill_worker_and_cron_leader():
        leader = leading_cron(cluster.crons)
        cluster.workers[0].kill()
        cluster.crons[leader].kill()
        return {"killed": f"rq worker 1 and the leading tally cron {leader + 1}"}

    def standby_leads(fault_at):
        took_over = wait_for(lambda: leading_cron(cluster.crons) is not None, 30, "the standby cron to take the lease")
        return {"cron_takeover_s": round(took_over - fault_at, 2), "cron_leader_now": leading_cron(cluster.crons) + 1,
                "recovered_at": took_over}

    results["worker"] = _phase(stack, "kill -9 an rq worker and the leading cron", kill_worker_and_cron_leader,
                               standby_leads)

    for figures in results.values():
        _assert_survived(figures)
    # Service went on through each fault; the PostgreSQL failover is the one gap residents see.
    assert results["web"]["first_ack_after_fault_s"] < 5
    assert results["redis"]["first_ack_after_fault_s"] < 5
    assert results["worker"]["first_ack_after_fault_s"] < 5

    verified = run_flask(stack.env, "tallies", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"campaign={stack.campaign_id} exact" in verified.stdout
    print(f"FAULTS {{\"scenario\": \"cluster: flask tallies verify after all faults\", "
          f"\"output\": \"{verified.stdout.strip()}\"}}")
