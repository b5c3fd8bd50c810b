"""ORM models, one module per aggregate."""

from questionnaire.models.campaign import Campaign, EntryPoint, Questionnaire
from questionnaire.models.office import AuditEvent, OfficeUser
from questionnaire.models.org import OrgUnit
from questionnaire.models.response import Response
from questionnaire.models.tally import BurstWindow, TallyAnswer, TallyEntry, TallyHour, TallyPending, TallyState
from questionnaire.models.target import UnitTarget

__all__ = ["AuditEvent", "Campaign", "EntryPoint", "OfficeUser", "OrgUnit", "Questionnaire", "Response",
           "BurstWindow", "TallyAnswer", "TallyEntry", "TallyHour", "TallyPending", "TallyState", "UnitTarget"]
