"""Domain errors, raised by services and mapped to HTTP responses in one place (wusong.web)."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    default_message = "请求无效"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError):
    status_code = 404
    default_message = "未找到该页面或记录"


class Unauthorized(DomainError):
    status_code = 401
    default_message = "请先登录"


class Forbidden(DomainError):
    status_code = 403
    default_message = "您没有权限执行此操作"


class Conflict(DomainError):
    status_code = 409
    default_message = "与现有数据冲突"


class PreconditionFailed(DomainError):
    status_code = 412
    default_message = "记录已被他人修改，请刷新后重试"


class PreconditionRequired(DomainError):
    status_code = 428
    default_message = "缺少 If-Match 请求头"


class TooManyAttempts(DomainError):
    status_code = 429
    default_message = "尝试次数过多，请稍后再试"


class Invalid(DomainError):
    """Invalid input: ``errors`` maps each field name to a Chinese message."""

    status_code = 422
    default_message = "提交的数据有误"

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        self.errors = errors
        super().__init__(message or "；".join(errors.values()) or self.default_message)
