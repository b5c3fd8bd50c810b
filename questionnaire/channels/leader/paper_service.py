"""Paper leader forms keyed in twice (this service commits).

Two different office accounts key in the same form. Once both passes are in, the form is stored
through the one intake on the `leader_paper` collection point of (ratee, rater's unit) with the
items they agree on; the items they disagree on are 待核对, held out of the response (and so of
the tallies) until an admin decides each one, which then completes the same response
(tallies.completion moves the counted row exactly). Its participant is the online rating's of
that rater and ratee: whichever arrives first counts, the other is refused by the intake and shown
to the office as a duplicate.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event, record_event
from questionnaire.campaigns.definition import AnswerError, validate_answers
from questionnaire.channels.leader import paper
from questionnaire.channels.leader.ballots import (
    IDENTITY_KIND,
    Ballot,
    ballot_of,
    rated_ratees,
    rating_identity,
    rating_point,
)
from questionnaire.channels.leader.errors import InvitationRevoked, NotAssigned
from questionnaire.channels.leader.models import LeaderInvitation, LeaderPaperForm
from questionnaire.intake.channels import LEADER_PAPER
from questionnaire.intake.submissions import Outcome, Participant, Submission, SubmissionStore
from questionnaire.kernel.errors import InvalidAnswers, NotInScope, ServiceError
from questionnaire.tallies.completion import complete_response

PAPER_NAMESPACE = uuid.UUID("6f1c2a52-4d0e-4a51-9a57-2f4f3c1d7e10")


class SameClerk(ServiceError):
    status, code, message = 409, "same_clerk", "第二遍须由另一名工作人员录入（双人录入）"


class AlreadyKeyedTwice(ServiceError):
    status, code, message = 409, "already_keyed_twice", "该评价表已录入两遍，如有不一致请在待核对列表中处理"


def paper_ballot(session: Session, hmac_key: str, invitation_id: int) -> Ballot:
    invitation = session.get(LeaderInvitation, invitation_id)
    if invitation is None:
        raise NotInScope()
    if invitation.revoked_at is not None:
        raise InvitationRevoked()
    return ballot_of(session, hmac_key, invitation)


def forms_of(session: Session, campaign_id: int, invitation: LeaderInvitation | None = None) -> list[LeaderPaperForm]:
    """The campaign's paper forms, or one invitation's in its current ballot round."""
    query = select(LeaderPaperForm).where(LeaderPaperForm.campaign_id == campaign_id)
    if invitation is not None:
        query = query.where(LeaderPaperForm.invitation_id == invitation.id, LeaderPaperForm.round == invitation.round)
    return list(session.scalars(query.order_by(LeaderPaperForm.id)))


def _form(session: Session, ballot: Ballot, ratee_id: int) -> LeaderPaperForm | None:
    return session.scalar(select(LeaderPaperForm).where(LeaderPaperForm.invitation_id == ballot.invitation.id,
                                                        LeaderPaperForm.ratee_unit_id == ratee_id,
                                                        LeaderPaperForm.round == ballot.invitation.round))


def items(session: Session, ballot: Ballot, ratee_id: int) -> list[str]:
    return [q.id for q in rating_point(session, ballot, ratee_id, LEADER_PAPER).definition.questions]


def enter(session: Session, store: SubmissionStore, ballot: Ballot, ratee_id: int, clerk_id: int,
          raw_answers: dict, now: datetime) -> LeaderPaperForm:
    """Key in one pass of a paper form; the second pass by another clerk compares item by item."""
    if ballot.ratee(ratee_id) is None:
        record_event(session, clerk_id, "leader_rating_refused", f"leader_invitation:{ballot.invitation.id}",
                     {"campaign_id": ballot.campaign.id, "ratee_unit_id": ratee_id, "reason": "not_assigned",
                      "source": "paper"})
        raise NotAssigned()
    point = rating_point(session, ballot, ratee_id, LEADER_PAPER)
    try:
        answers = validate_answers(point.definition, raw_answers)
    except AnswerError as exc:
        raise InvalidAnswers(fields=exc.fields) from None
    form = _form(session, ballot, ratee_id)
    if form is None:
        form = LeaderPaperForm(campaign_id=ballot.campaign.id, invitation_id=ballot.invitation.id,
                               ratee_unit_id=ratee_id, round=ballot.invitation.round,
                               first_clerk_id=clerk_id, first_entry=answers,
                               status=paper.FIRST_ENTERED, resolved={}, created_at=now, updated_at=now)
        session.add(form)
        session.commit()
        return form
    if form.status != paper.FIRST_ENTERED:
        raise AlreadyKeyedTwice()
    if form.first_clerk_id == clerk_id:
        raise SameClerk()
    form.second_clerk_id, form.second_entry, form.updated_at = clerk_id, answers, now
    form.status = paper.TO_CHECK
    session.commit()  # the second pass is kept before the intake writes on its own connection
    _store_when_resolved(session, store, ballot, form, now)
    session.commit()
    return form


def resolve(session: Session, store: SubmissionStore, ballot: Ballot, form: LeaderPaperForm, admin_id: int,
            choices: dict[str, str], now: datetime) -> LeaderPaperForm:
    """An admin decides 待核对 items (audited); each decided item joins the stored rating at once."""
    if form.status != paper.TO_CHECK:
        raise AlreadyKeyedTwice("该评价表没有待核对的项目")
    if form.round != ballot.invitation.round:
        raise AlreadyKeyedTwice("该评价表属于已重新开放前的评价，已作废")
    definition = rating_point(session, ballot, form.ratee_unit_id, LEADER_PAPER).definition
    open_items = paper.differences(form.first_entry, form.second_entry or {}, [q.id for q in definition.questions])
    chosen = {item: choices[item] for item in open_items
              if item not in form.resolved and choices.get(item) not in (None, "")}
    resolved = {**form.resolved, **chosen}
    still_open = frozenset(paper.unresolved(form.first_entry, form.second_entry or {}, resolved, open_items))
    try:
        validate_answers(definition, {**paper.agreed(form.first_entry, form.second_entry or {}, definition),
                                      **resolved}, held=still_open)
    except AnswerError as exc:
        raise InvalidAnswers(fields=exc.fields) from None
    form.resolved, form.updated_at = resolved, now
    add_event(session, admin_id, "leader_paper_resolved", f"leader_paper_form:{form.id}",
              {"items": sorted(chosen)}, now=now)
    session.commit()  # the decision and its audit entry, before the intake writes on its own connection
    _store_when_resolved(session, store, ballot, form, now)
    session.commit()
    return form


def _store_when_resolved(session: Session, store: SubmissionStore, ballot: Ballot, form: LeaderPaperForm,
                         now: datetime) -> None:
    """Store the agreed items (once), then add every decided item; STORED when none is left open.

    Safe to run again: the agreed items go in under a fixed submission id per form (a retry gets
    the first receipt) and completion skips items already in the response.
    """
    definition = rating_point(session, ballot, form.ratee_unit_id, LEADER_PAPER).definition
    first, second = form.first_entry, form.second_entry or {}
    differing = frozenset(paper.differences(first, second, [q.id for q in definition.questions]))
    if form.response_id is None:
        if not _store_agreed(session, store, ballot, form, paper.agreed(first, second, definition), differing, now):
            return
    decided = {item: value for item, value in form.resolved.items() if item in differing and value != ""}
    if decided:
        complete_response(session.connection(), ballot.campaign.id, form.response_id, decided)
    if not paper.unresolved(first, second, form.resolved, differing):
        form.status = paper.STORED


def _store_agreed(session: Session, store: SubmissionStore, ballot: Ballot, form: LeaderPaperForm,
                  answers: dict[str, str], held: frozenset[str], now: datetime) -> bool:
    """The rating with the agreed items through the intake; False when the rater had already rated."""
    point = rating_point(session, ballot, form.ratee_unit_id, LEADER_PAPER)
    participant = Participant(IDENTITY_KIND, rating_identity(ballot.invitation, form.ratee_unit_id))
    # A fixed submission id per form: storing it again (a retry) returns the first receipt.
    submission_id = str(uuid.uuid5(PAPER_NAMESPACE, f"leader-paper-form:{form.id}"))
    receipt = store.submit(point, Submission(participant, submission_id, answers, held_items=held), now=now)
    if receipt.outcome is Outcome.ALREADY_PARTICIPATED:
        form.status = paper.DUPLICATE
        return False
    form.response_id = receipt.response_id
    invitation = ballot.invitation
    invitation.started_at = invitation.started_at or now
    rated = rated_ratees(session, store.hmac_key, invitation, ballot.ratees, ballot.campaign, ballot.questionnaire_id)
    if invitation.submitted_at is None and len(rated) == len(ballot.ratees):
        invitation.submitted_at = now  # the whole paper form is in: the rater has returned
    return True
