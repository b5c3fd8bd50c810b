from questionnaire.intake.identity import ip_hash, is_plain_ipv4, participant_hash, user_agent_class
from questionnaire.kernel.personal_data import mask_phone


def test_participant_hash_is_keyed_and_per_campaign():
    a = participant_hash("k1", 1, "wechat", "openid-1")
    assert a == participant_hash("k1", 1, "wechat", "openid-1")
    assert a != participant_hash("k2", 1, "wechat", "openid-1")
    assert a != participant_hash("k1", 2, "wechat", "openid-1")
    assert "openid-1" not in a and len(a) == 64


def test_ip_hash_groups_a_network_and_rejects_garbage():
    assert ip_hash("k", "10.1.2.3") == ip_hash("k", "10.1.2.200")
    assert ip_hash("k", "10.1.2.3") != ip_hash("k", "10.1.3.3")
    assert ip_hash("k", "not-an-ip") is None


def test_user_agent_class_is_coarse():
    ua = "Mozilla/5.0 (Linux; Android 10) MicroMessenger/8.0.40"
    assert user_agent_class(ua) == "wechat-android"
    assert user_agent_class(None) == "browser-other"


def test_phone_numbers_are_masked():
    assert mask_phone("13812345678") == "138****5678"


def _ip_hash_through_ipaddress(key: str, ip: str) -> str:
    """The hash as computed before the IPv4 fast path: stored hashes must not change."""
    import hashlib
    import hmac
    import ipaddress

    network = ipaddress.ip_network(f"{ipaddress.ip_address(ip)}/24", strict=False)
    return hmac.new(key.encode(), b"ip\x1f" + str(network).encode(), hashlib.sha256).hexdigest()[:16]


def test_the_ipv4_fast_path_hashes_exactly_as_ipaddress_does():
    for ip in ("10.1.2.3", "0.0.0.0", "255.255.255.255", "192.168.10.99", "1.2.3.4"):
        assert is_plain_ipv4(ip)
        assert ip_hash("k", ip) == _ip_hash_through_ipaddress("k", ip)


def test_odd_addresses_take_the_ipaddress_path():
    for text in ("010.1.2.3", "256.1.2.3", "1.2.3", "1.2.3.4.5", " 1.2.3.4", "1.2.3.4\n", "::ffff:1.2.3.4"):
        assert not is_plain_ipv4(text)
    assert ip_hash("k", "010.1.2.3") is None  # ipaddress refuses leading zeros too
    assert ip_hash("k", "2001:db8::1") == ip_hash("k", "2001:db8:0:ffff::2")  # one /48
