"""`flask mask-free-text`: answers stored before numbers were masked at intake, masked now.

Each text answer goes through the submit path's own rule (intake.free_text.mask_text_answers):
the masked text replaces it in `answers`, the text as typed is sealed into `free_text_sealed`,
and `answers_digest` is recomputed over the masked answers (a digest of the text as typed would
give the masked digits back to 10^4 guesses). Needs FIELD_ENCRYPTION_KEY, which is why it is a
command the operator runs after `flask db upgrade`, not part of migration 0018.

Keyset pages by id, each page one short transaction: safe while residents are answering (new
answers are masked already and hold no number this finds), and a second run changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine

from questionnaire.campaigns.definition import answers_digest
from questionnaire.campaigns.service import load_definitions
from questionnaire.intake.free_text import mask_text_answers, seal
from questionnaire.intake.models import Response
from questionnaire.kernel.crypto import Cipher

log = logging.getLogger(__name__)
PAGE = 2_000
responses = Response.__table__

UPDATE = (update(responses).where(responses.c.id == bindparam("rid"))
          .values(answers=bindparam("masked"), free_text_sealed=bindparam("sealed"),
                  answers_digest=bindparam("digest")))


@dataclass(frozen=True)
class BackfillSummary:
    campaign_id: int
    scanned: int
    masked: int


def mask_campaign(engine: Engine, cipher: Cipher, campaign_id: int, page: int = PAGE) -> BackfillSummary:
    """Mask the numbers in every stored free-text answer of the campaign that still holds one."""
    with engine.connect() as conn:
        definitions = load_definitions(conn, campaign_id)
    with_text = [qid for qid, d in definitions.items() if any(q.type == "text" for q in d.questions)]
    scanned = masked = 0
    last_id = 0
    while with_text:
        with engine.begin() as conn:
            rows = conn.execute(
                select(responses.c.id, responses.c.questionnaire_id, responses.c.answers)
                .where(responses.c.campaign_id == campaign_id, responses.c.id > last_id,
                       responses.c.questionnaire_id.in_(with_text), responses.c.free_text_sealed.is_(None))
                .order_by(responses.c.id).limit(page)).all()
            if not rows:
                break
            changes = []
            for row in rows:
                stored, typed = mask_text_answers(definitions[row.questionnaire_id], row.answers)
                if typed:
                    changes.append({"rid": row.id, "masked": dict(stored), "sealed": seal(cipher, typed),
                                    "digest": answers_digest(stored)})
            if changes:
                conn.execute(UPDATE, changes)
        scanned += len(rows)
        masked += len(changes)
        last_id = rows[-1].id
    log.info("free text masked campaign=%s scanned=%s masked=%s", campaign_id, scanned, masked)
    return BackfillSummary(campaign_id, scanned, masked)
