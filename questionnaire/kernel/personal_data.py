"""Personal data of every channel (phone numbers of sampled residents, hotline callers, raters):
cleaned, encrypted with a key kept outside the database, deduplicated by a keyed HMAC, masked.

Pure: no Flask, SQLAlchemy or Redis. Callers pass the keys from the app config
(FIELD_ENCRYPTION_KEY for encryption through kernel.crypto, PARTICIPANT_HMAC_KEY for the HMAC).

* Numbers are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256, from `cryptography`):
  interviewers must be able to dial them, so a one-way hash is not enough; a `pg_dump`
  without the key holds nothing readable.
* Duplicates are found on a keyed HMAC of the cleaned number, never on a plain hash (eleven
  digits are quickly enumerated).
* Everything shown to a person is `mask_phone`'s `138****5678`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A landline with its area code: 0 + 2-3 digit area code + 7-8 digit number (0778-2281234).
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
SEPARATORS = re.compile(r"[\s\-()（）.·—–]+")


@dataclass(frozen=True)
class CleanedPhone:
    number: str | None
    reason: str | None  # Chinese reason when the number is rejected

    @property
    def ok(self) -> bool:
        return self.number is not None


def clean_phone(raw) -> CleanedPhone:
    """`+86 138-0000-0000` -> 13800000000; `0778-2281234` -> 07782281234; else a Chinese reason."""
    if raw is None:
        return CleanedPhone(None, "电话号码为空")
    if isinstance(raw, float) and raw.is_integer():  # Excel stores a typed number as a float
        raw = int(raw)
    text = SEPARATORS.sub("", str(raw).strip())
    if not text:
        return CleanedPhone(None, "电话号码为空")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text.isdigit():
        return CleanedPhone(None, "电话号码含有非数字字符")
    if text.startswith("1"):
        if MOBILE.match(text):
            return CleanedPhone(text, None)
        return CleanedPhone(None, f"手机号码应为 11 位（此号码 {len(text)} 位）" if len(text) != 11
                            else "手机号码号段无效")
    if text.startswith("0"):
        if LANDLINE.match(text):
            return CleanedPhone(text, None)
        return CleanedPhone(None, "固定电话须带区号（如 0778-2281234），位数不符")
    return CleanedPhone(None, "固定电话须带区号（如 0778-2281234）")


def mask_phone(number: str) -> str:
    """138****5678: the first three and last four digits, the rest starred."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# Numbers a resident may type into free text (意见建议: "请联系我 138…"), in ASCII or full-width
# digits as Chinese keyboards give them, with the separators people type:
# * mobiles, 11 digits 1[3-9]…, optionally +86/86 and a hyphen or space between 3-4-4 groups;
# * landlines with their area code: 0 + 2-3 digits (010, 020-029, 0xxx), then a 7-8 digit local
#   number that starts with 2-8, optionally with the area code in brackets or a hyphen/space
#   (0778-2281234, 07782281234, (010)62345678);
# * ID cards (身份证): 18 digits, the last may be X, or the old 15 digits.
# Never inside a longer digit run, so amounts, dates (2024-05-01, 20240501), times (0830-1730) and
# order numbers stay as typed; a local number without its area code is not recognised (it is a
# date or an amount as often as a phone number).
_D = "[0-9\uff10-\uff19]"
_SEP = "[- \uff0d]?"
# The leading lookahead lets every position that cannot start a number fail at once: 3 us instead
# of 30 us for a 60-character answer without one (the submit path searches every text answer).
NUMBERS_IN_TEXT = re.compile(
    "(?=[0-9\uff10-\uff19+\uff0b(\uff08])"
    f"(?<!{_D})(?:"
    f"(?P<id>{_D}{{17}}[0-9\uff10-\uff19Xx]|{_D}{{15}})"
    f"|(?P<cc>(?:\\+|\uff0b)?(?:86|\uff18\uff16){_SEP})?(?P<mobile>[1\uff11][3-9\uff13-\uff19]{_D}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}})"
    f"|(?P<landline>[(\uff08]?[0\uff10][1-9\uff11-\uff19]{_D}{{1,2}}[)\uff09]?{_SEP}[2-8\uff12-\uff18]{_D}{{6,7}})"
    f")(?!{_D})"
)


def _mask_match(match: re.Match) -> str:
    if match.group("id"):
        number = match.group("id")
        return mask_phone(number) + ("X" if number[-1] in "Xx" else "")
    if match.group("mobile"):
        return (match.group("cc") or "") + mask_phone(match.group("mobile"))
    return mask_phone(match.group("landline"))


def mask_numbers_in_text(text: str) -> str:
    """Free text with every mobile, landline and ID-card number masked (138****5678)."""
    return NUMBERS_IN_TEXT.sub(_mask_match, text)


def mask_if_numbers(text: str) -> str | None:
    """The masked text when `text` holds a number, else None: one regex search for the usual
    answer that holds none (the submit path calls this on every text answer)."""
    if NUMBERS_IN_TEXT.search(text) is None:
        return None
    return NUMBERS_IN_TEXT.sub(_mask_match, text)


def phone_hmac(key: str, number: str) -> str:
    """The dedup key of a cleaned number: the same for every frame and campaign, useless without the key."""
    return hmac.new(key.encode(), b"phone\x1f" + number.encode(), hashlib.sha256).hexdigest()
