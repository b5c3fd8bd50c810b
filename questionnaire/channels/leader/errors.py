"""What a rater can be told, each with its status and Chinese message (rendered once, kernel.web.errors)."""

from __future__ import annotations

from questionnaire.kernel.errors import ServiceError


class InvitationNotFound(ServiceError):
    status, code, message = 404, "invitation_not_found", "邀请链接无效，请核对链接或重新扫描邀请函上的二维码"


class InvitationTaken(ServiceError):
    status, code, message = 403, "invitation_taken", "该邀请已被使用"


class InvitationRevoked(ServiceError):
    status, code, message = 410, "invitation_revoked", "该邀请已作废，请使用新的邀请函"


class InvitationClosed(ServiceError):
    status, code, message = 410, "invitation_closed", "已截止"


class NotAssigned(ServiceError):
    status, code, message = 403, "not_assigned", "您不参与对该单位的评价（回避），本次评价未保存"


class AlreadySubmitted(ServiceError):
    status, code, message = 409, "already_submitted", "您已提交评价，不能再修改"


class Incomplete(ServiceError):
    status, code, message = 422, "incomplete", "还有评价对象未评价，请全部评价后再提交"


class NoLeaderEvaluation(ServiceError):
    status, code, message = 404, "no_leader_evaluation", "本次活动未设置领导评价"
