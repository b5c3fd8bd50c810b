"""The one-HMAC token reader accepts exactly what itsdangerous signed, and nothing else."""

import time

import pytest
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from questionnaire.kernel.signed import TokenReader

SIGNER_KEY = "test-secret-key"  # a development secret the secret scan knows


def test_reads_the_device_tokens_itsdangerous_issued():
    issued = URLSafeSerializer(SIGNER_KEY, salt="participant-device")
    reader = TokenReader(SIGNER_KEY, "participant-device")
    for value in ("a" * 24, "设备", {"sid": "x", "n": [1, 2]}, "x" * 2000):  # the last one compresses
        assert reader.loads(issued.dumps(value)) == value


def test_reads_timed_form_tokens_and_enforces_their_age():
    issued = URLSafeTimedSerializer(SIGNER_KEY, salt="survey-form")
    reader = TokenReader(SIGNER_KEY, "survey-form", timed=True)
    token = issued.dumps({"sid": "abc", "code": "k1", "t": 1.5})
    assert reader.loads(token, max_age=60) == {"sid": "abc", "code": "k1", "t": 1.5}
    for shift in (-120, 120):  # two minutes old, and from two minutes in the future
        with pytest.raises(SignatureExpired):
            reader.loads(signed_at(shift).dumps({"sid": "abc"}), max_age=60)


def signed_at(shift: int) -> URLSafeTimedSerializer:
    class ShiftedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) + shift

    return URLSafeTimedSerializer(SIGNER_KEY, salt="survey-form", signer=ShiftedSigner)


@pytest.mark.parametrize("forge", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
    lambda t: "e" + t[1:],  # payload changed
    lambda t: t.rsplit(".", 1)[0],  # signature removed
    lambda t: t + "签",  # not ASCII
    lambda t: "",
])
def test_refuses_forged_or_broken_tokens(forge):
    token = URLSafeSerializer(SIGNER_KEY, salt="participant-device").dumps("device-id-0123456789")
    with pytest.raises(BadSignature):
        TokenReader(SIGNER_KEY, "participant-device").loads(forge(token))


def test_refuses_another_salt_or_key():
    token = URLSafeSerializer(SIGNER_KEY, salt="survey-form").dumps("device-id-0123456789")
    with pytest.raises(BadSignature):
        TokenReader(SIGNER_KEY, "participant-device").loads(token)
    with pytest.raises(BadSignature):
        TokenReader("bench-secret-key", "survey-form").loads(token)


def test_a_validly_signed_token_without_a_timestamp_is_refused_by_the_timed_reader():
    token = URLSafeSerializer(SIGNER_KEY, salt="survey-form").dumps({"sid": "abc"})
    with pytest.raises(BadSignature):
        TokenReader(SIGNER_KEY, "survey-form", timed=True).loads(token, max_age=60)
