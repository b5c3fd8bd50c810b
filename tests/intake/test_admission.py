"""One Redis round trip admits a submission: its rate-limit windows and its dedup claim."""

from __future__ import annotations

import pytest
import redis

from questionnaire.extensions import redis_store
from questionnaire.intake.admission import Admission, Bucket, Claim, DoneMarks, RateLimited, ThreadClients, Window

# A Lua script: fakeredis (lupa) must behave as the Redis server does.
pytestmark = pytest.mark.both_backends


def buckets(identity="dev:phone-1", per_minute=3):
    return Bucket.for_client("participant-submit", identity, Window.parse(f"{per_minute} per minute;30 per hour"),
                             hmac_key="test-participant-hmac-key")


def test_limit_settings_read_as_flask_limiter_writes_them():
    assert Window.parse("10 per minute;30 per hour") == (Window(10, 60), Window(30, 3600))
    assert Window.parse("600/minute") == (Window(600, 60),)
    assert Window.parse("") == ()


def test_the_first_claim_is_made_and_a_second_sees_the_holder(clean_app):
    client = redis_store.client(clean_app)
    claim = Claim("sq:1:participant:abc", "p:first", 3600)
    assert Admission(buckets()).admit(client, claim) is None
    assert client.get(claim.key) == b"p:first"
    assert client.ttl(claim.key) > 3500
    assert Admission(buckets()).admit(client, Claim(claim.key, "p:second", 3600)) == "p:first"


def test_a_full_window_refuses_with_its_reset_time_and_makes_no_claim(clean_app):
    client = redis_store.client(clean_app)
    for n in range(3):
        Admission(buckets()).admit(client, Claim(f"sq:1:participant:{n}", "p:x", 3600))
    with pytest.raises(RateLimited) as refused:
        Admission(buckets()).admit(client, Claim("sq:1:participant:late", "p:x", 3600))
    assert 0 < refused.value.retry_after <= 60
    assert client.get("sq:1:participant:late") is None


def test_every_window_counts_even_when_an_earlier_one_is_full(clean_app):
    client = redis_store.client(clean_app)
    minute, hour = buckets()
    for _ in range(5):
        try:
            Admission([minute, hour]).count(client)
        except RateLimited:
            pass
    assert int(client.get(minute.key)) == 5 and int(client.get(hour.key)) == 5


def test_requests_refused_before_the_store_are_counted_once(clean_app):
    client = redis_store.client(clean_app)
    admission = Admission(buckets())
    admission.count(client)
    admission.count(client)  # the web layer's safety net after a counted request: no second hit
    assert int(client.get(buckets()[0].key)) == 1


def test_other_clients_have_their_own_windows(clean_app):
    client = redis_store.client(clean_app)
    for _ in range(3):
        Admission(buckets("dev:phone-1")).count(client)
    with pytest.raises(RateLimited):
        Admission(buckets("dev:phone-1")).count(client)
    Admission(buckets("dev:phone-2")).count(client)  # a neighbour on the same village Wi-Fi


def test_an_unreachable_redis_admits_everything_and_claims_nothing():
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    admission = Admission(buckets(per_minute=1))
    assert admission.admit(dead, Claim("sq:1:participant:x", "p:x", 3600)) is None
    Admission(buckets(per_minute=1)).count(dead)  # no RateLimited: fail open


def test_deferred_committed_markers_ride_on_the_next_script_even_a_refused_one(clean_app):
    client = redis_store.client(clean_app)
    done = DoneMarks()
    done.add("sq:1:participant:earlier", "d:earlier", 3600)
    assert Admission(buckets()).admit(client, Claim("sq:1:participant:next", "p:next", 3600), done) is None
    assert client.get("sq:1:participant:earlier") == b"d:earlier" and client.ttl("sq:1:participant:earlier") > 3500
    assert len(done) == 0
    done.add("sq:1:participant:later", "d:later", 3600)
    full = Admission(buckets(per_minute=0))
    with pytest.raises(RateLimited):
        full.admit(client, Claim("sq:1:participant:refused", "p:refused", 3600), done)
    assert client.get("sq:1:participant:later") == b"d:later"
    assert client.get("sq:1:participant:refused") is None


def test_deferred_markers_are_bounded_while_redis_is_away():
    done = DoneMarks(limit=3, per_script=2)
    for i in range(5):
        done.add(f"k{i}", f"d:{i}", 60)
    assert [key for key, _, _ in done.take()] == ["k2", "k3"]
    assert [key for key, _, _ in done.take()] == ["k4"]


def test_each_thread_admits_on_a_connection_of_its_own(clean_app):
    import threading

    shared = redis_store.client(clean_app)
    clients = ThreadClients(shared)
    got = []
    threads = [threading.Thread(target=lambda: got.append((clients.get(), clients.get()))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first, second = got
    assert first[0] is first[1]  # kept by its thread
    claim = Claim("sq:1:participant:threads", "p:threads", 3600)
    assert Admission(buckets()).admit(clients, claim) is None
    assert shared.get(claim.key) == b"p:threads"
    if "fakeredis" in type(shared).__module__:
        assert first[0] is shared  # the embedded stand-in is one in-process server
    else:
        assert first[0] is not second[0] and first[0].connection_pool is shared.connection_pool


def test_an_unreachable_redis_fails_open_through_the_thread_clients():
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    assert Admission(buckets(per_minute=1)).admit(ThreadClients(dead), Claim("sq:1:participant:x", "p:x", 60)) is None
