from questionnaire.intake.identity import ip_hash, participant_hash, user_agent_class
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
