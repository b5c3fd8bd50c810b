"""Phone and ID numbers residents type into free text (意见建议), masked at intake.

The stored `answers` hold the masked text (138****5678), so the database, the dashboard, the
exports, the reports and the rectification items made from a suggestion all show it masked with
no masking of their own. When the office may need to call back, the text as typed is kept only
as one Fernet token per response (`responses.free_text_sealed`, FIELD_ENCRYPTION_KEY, which the
database never holds), opened for an admin with an audit entry (dashboard/free_text_views.py).

Pure: the rule is kernel.personal_data's; the cipher is kernel.crypto's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from questionnaire.campaigns.definition import Definition
from questionnaire.kernel.crypto import Cipher
from questionnaire.kernel.personal_data import mask_if_numbers


def mask_text_answers(defn: Definition, answers: Mapping[str, str]) -> tuple[Mapping[str, str], dict[str, str]]:
    """(the answers as stored, the texts as typed of those that held a number). One regex search
    per text answer; the answers are copied only when something was masked."""
    typed: dict[str, str] = {}
    stored = answers
    for q in defn.questions:
        if q.type != "text":
            continue
        value = answers.get(q.id)
        masked = mask_if_numbers(value) if value else None
        if masked is not None:
            if stored is answers:
                stored = dict(answers)
            stored[q.id] = masked
            typed[q.id] = value
    return stored, typed


def seal(cipher: Cipher, typed: Mapping[str, str]) -> str:
    """The texts as typed, {question id: text}, as one ciphertext."""
    return cipher.encrypt(json.dumps(typed, ensure_ascii=False, sort_keys=True))


def unseal(cipher: Cipher, token: str) -> dict[str, str]:
    return json.loads(cipher.decrypt(token))
