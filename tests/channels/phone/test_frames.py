"""P1 number cleaning, P2 duplicates, per-row reports, re-upload and lock; numbers stored encrypted."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from questionnaire.channels.phone import frames
from questionnaire.channels.phone.frame_file import read_frame
from questionnaire.channels.phone.models import FrameNumber, SampleFrame
from questionnaire.extensions import db
from questionnaire.kernel.crypto import Cipher, DecryptionFailed
from questionnaire.kernel.personal_data import clean_phone, mask_phone, phone_hmac
from questionnaire.org.scope import Scope
from tests.channels.phone.conftest import mobiles, xlsx_bytes


@pytest.mark.parametrize("raw, cleaned", [
    ("+86 138-0000-0000", "13800000000"),
    ("0778-2281234", "07782281234"),
    ("(0778) 228 1234", "07782281234"),
    (13912345678.0, "13912345678"),  # Excel keeps a typed number as a float
    ("008613912345678", "13912345678"),
])
def test_numbers_are_cleaned_to_digits_keeping_the_area_code(raw, cleaned):
    assert clean_phone(raw).number == cleaned


@pytest.mark.parametrize("raw, reason", [
    ("1380000000", "手机号码应为 11 位（此号码 10 位）"),
    ("1380000abcd", "电话号码含有非数字字符"),
    ("2281234", "固定电话须带区号（如 0778-2281234）"),
    ("", "电话号码为空"),
])
def test_bad_numbers_get_a_chinese_reason(raw, reason):
    result = clean_phone(raw)
    assert result.number is None and result.reason == reason


def test_masking_and_encryption_keep_the_number_unreadable():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("07782281234") == "077****1234"
    key = Fernet.generate_key().decode()
    token = Cipher(key).encrypt("13812345678")
    assert "13812345678" not in token and Cipher(key).decrypt(token) == "13812345678"
    with pytest.raises(DecryptionFailed):
        Cipher(Fernet.generate_key().decode()).decrypt(token)
    assert phone_hmac("k", "13812345678") == phone_hmac("k", "13812345678") != phone_hmac("k2", "13812345678")


def test_a_frame_file_reports_each_bad_row_with_its_row_number():
    data = xlsx_bytes([(1, "+86 138-0000-0000", "企业", "一镇"), (2, "0778-2281234", "", ""),
                       (3, "1380000000", "", ""), (4, "1380000abcd", "", ""), (5, "13800000000", "", ""),
                       (6, "13900000001", "外星人", "")])
    report = read_frame("frame.xlsx", data)
    assert [r.number for r in report.kept] == ["13800000000", "07782281234"]
    assert report.rejected == [(4, "手机号码应为 11 位（此号码 10 位）"), (5, "电话号码含有非数字字符"),
                               (7, "样本类型“外星人”不在规定类别内")]
    assert report.duplicates == [(6, 2)]  # row 6 repeats row 2 (the header is row 1)
    assert report.rows_total == 6


def test_thirty_duplicates_are_kept_once_and_reported(upload):
    numbers = mobiles(0, 50) + mobiles(0, 30)
    frame, report = upload("K1", numbers)
    assert (frame.rows_total, frame.rows_valid, frame.duplicates) == (80, 50, 30)
    kept = select(func.count()).select_from(FrameNumber).where(FrameNumber.frame_id == frame.id)
    assert db.session.scalar(kept) == 50


def test_a_number_in_two_entities_frames_stays_in_both_and_is_flagged(upload, campaign):
    k1, _ = upload("K1", mobiles(0, 10))
    u1, _ = upload("U1", mobiles(5, 10))  # 5 numbers shared with K1
    shared = frames.shared_counts(db.session, campaign.id)
    assert shared == {k1.id: 5, u1.id: 5}
    assert (k1.rows_valid, u1.rows_valid) == (10, 10)


def test_each_submitter_sees_only_its_own_counts(upload, campaign):
    upload("K1", mobiles(0, 10))
    upload("U1", mobiles(100, 7))
    k1 = Scope(role="county", county_id=campaign.units["K1"].id)
    u1 = Scope(role="unit", unit_id=campaign.units["U1"].id)
    assert [s.unit_name for s in frames.list_frames(db.session, k1, campaign.id)] == ["甲县"]
    assert [s.frame.rows_valid for s in frames.list_frames(db.session, u1, campaign.id)] == [7]
    assert len(frames.list_frames(db.session, Scope(role="admin"), campaign.id)) == 2
    assert frames.list_frames(db.session, Scope(role="none"), campaign.id) == []


def test_reupload_replaces_the_draft_until_the_office_locks_it(upload, campaign):
    first, _ = upload("K1", mobiles(0, 10), lock=False)
    second, _ = upload("K1", mobiles(500, 4), lock=False)
    assert first.id == second.id and second.rows_valid == 4
    assert db.session.scalar(select(func.count()).select_from(FrameNumber)) == 4
    frames.set_locked(db.session, second.id, True)
    with pytest.raises(frames.FrameLocked):
        upload("K1", mobiles(900, 3), lock=False)
    assert db.session.scalar(select(func.count()).select_from(FrameNumber)) == 4


def test_an_unreadable_file_stores_nothing(upload):
    with pytest.raises(frames.FrameRejected) as refused:
        upload("K1", None, filename="frame.csv", data="序号,姓名\n1,张三\n".encode())
    assert "电话号码" in refused.value.message
    with pytest.raises(frames.FrameRejected):
        upload("K1", None, filename="frame.xlsx", data=b"not a workbook")
    assert db.session.scalar(select(func.count()).select_from(SampleFrame)) == 0


def test_numbers_are_stored_encrypted_and_open_with_the_key(upload, keys):
    upload("K1", ["13812345678"])
    row = db.session.scalar(select(FrameNumber))
    assert "13812345678" not in row.phone_cipher and "13812345678" not in row.phone_hmac
    assert keys.cipher.decrypt(row.phone_cipher) == "13812345678"


def test_gbk_csv_is_read(upload):
    frame, _ = upload("K1", None, data="电话号码,样本类型\n13812345678,企业\n".encode("gbk"))
    assert frame.rows_valid == 1
