"""Rectification errors: each carries its status and Chinese message (kernel.errors.ServiceError)."""

from __future__ import annotations

from questionnaire.kernel.errors import ServiceError


class ItemInvalid(ServiceError):
    status, code, message = 422, "item_invalid", "意见建议信息有误"


class ActionRefused(ServiceError):
    status, code, message = 422, "action_refused", "当前状态不能进行该操作"


class ActionForbidden(ServiceError):
    """The account may see the task but the action belongs to the other side (R5: 销号 is the office's)."""

    status, code, message = 403, "action_forbidden", "您的账号无权进行该操作"


class EvidenceInvalid(ServiceError):
    status, code, message = 422, "evidence_invalid", "佐证材料不符合要求"


class ImportRefused(ServiceError):
    status, code, message = 422, "import_refused", "文件未导入"

    def __init__(self, message: str | None = None, problems=None):
        super().__init__(message)
        self.problems = problems or []


class YearAlreadyClosed(ServiceError):
    status, code, message = 409, "year_closed", "该年度已完成年终结转，统计数据已冻结"
