"""Domain exceptions; the web layer maps each to a status code and a Chinese message."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "error"
    message = "请求有误"

    def __init__(self, message: str | None = None, **detail):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.detail = detail


class NotInScope(ServiceError):
    """Unknown or out of scope: the same 404, so ids of other counties are not confirmed."""

    status, code, message = 404, "not_found", "未找到该内容，或您的账号无权查看"


class EntryNotFound(ServiceError):
    status, code, message = 404, "entry_not_found", "二维码无效或已失效，请确认后重新扫码"


class EntryDisabled(ServiceError):
    status, code, message = 410, "entry_disabled", "该调查入口已停用，请扫描所在单位最新张贴的二维码"


class CampaignNotOpen(ServiceError):
    status, code, message = 403, "campaign_not_open", "本次调查尚未开始"


class CampaignClosed(ServiceError):
    status, code, message = 410, "campaign_closed", "本次调查已结束，感谢您的关注"


class InvalidAnswers(ServiceError):
    status, code, message = 422, "invalid_answers", "答卷填写有误，请检查标记的题目"


class IdempotencyConflict(ServiceError):
    status, code, message = 409, "submission_id_reused", "该提交编号已用于另一份不同的答卷"


class ServiceUnavailable(ServiceError):
    status, code, message = 503, "service_unavailable", "系统繁忙，您的答卷尚未保存，请稍后再提交"


class RateLimited(Exception):
    """A rate-limit window is full: a 429 with Retry-After, whatever else the request was."""

    def __init__(self, retry_after: int):
        super().__init__(f"rate limited, retry after {retry_after} s")
        self.retry_after = retry_after
