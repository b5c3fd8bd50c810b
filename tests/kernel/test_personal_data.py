"""The one free-text number rule (kernel.personal_data.NUMBERS_IN_TEXT): what residents type is
masked, what only looks numeric (dates, amounts, times, order numbers) is left as typed."""

import pytest

from questionnaire.kernel.personal_data import mask_if_numbers, mask_numbers_in_text

MASKED = [
    ("请联系我13812345678", "请联系我138****5678"),
    ("电话13812345678，身份证45270119900101123X", "电话138****5678，身份证452**********1123X"),
    ("手机 138-1234-5678 谢谢", "手机 138****5678 谢谢"),
    ("138 1234 5678转", "138****5678转"),
    ("+86 13812345678", "+86 138****5678"),
    ("8613812345678", "86138****5678"),
    ("１３８１２３４５６７８", "１３８****５６７８"),  # full-width digits from a Chinese keyboard
    ("座机0778-2281234", "座机077****1234"),
    ("座机07782281234找王科长", "座机077****1234找王科长"),
    ("(010)62345678", "010****5678"),
    ("０７７８－２２８１２３４", "０７７****１２３４"),
    ("身份证号452701199001011234", "身份证号452***********1234"),
    ("老身份证450123199001011", "老身份证450********1011"),
    ("两个号码13812345678和0778-2281234", "两个号码138****5678和077****1234"),
]

AS_TYPED = [
    "第2026年3号", "2024-05-01停水", "20240501", "2024年5月1日上午10:30", "营业时间0830-1730",
    "补贴1380元", "欠款15000000元", "2019-2024年", "13,800,000", "工单号12345678901234567890",
    "卡号1234567890123456", "0.5%", "10:30-18:00", "电话2281234", "1381234567", "138123456789",
]


@pytest.mark.parametrize("typed, shown", MASKED)
def test_a_typed_phone_or_id_number_is_masked(typed, shown):
    assert mask_numbers_in_text(typed) == shown
    assert mask_if_numbers(typed) == shown


@pytest.mark.parametrize("text", AS_TYPED)
def test_dates_amounts_times_and_long_numbers_are_left_as_typed(text):
    assert mask_numbers_in_text(text) == text
    assert mask_if_numbers(text) is None


def test_masked_text_holds_no_number_to_mask_again():
    once = mask_numbers_in_text("13812345678 0778-2281234 45270119900101123X")
    assert mask_if_numbers(once) is None
