"""Domain errors, raised by services and mapped to HTTP responses in one place (core.http)."""

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
    """Not allowed in the record's current state (e.g. a record for a closed program): 409,
    with a Chinese message naming the rule."""

    status_code = 409
    default_message = "当前状态下不能执行此操作"


class PreconditionFailed(DomainError):
    status_code = 412
    default_message = "记录已被他人修改，请刷新后重试"


class PreconditionRequired(DomainError):
    status_code = 428
    default_message = "缺少 If-Match 请求头"


class TooManyAttempts(DomainError):
    status_code = 429
    default_message = "尝试次数过多，请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        self.retry_after = retry_after  # seconds, for a Retry-After header
        super().__init__(message)


class Invalid(DomainError):
    """Invalid input: ``errors`` maps each field name to a Chinese message."""

    status_code = 422
    default_message = "提交的数据有误"

    def __init__(
        self, errors: dict[str, str], message: str | None = None, *, status_code: int = 422
    ) -> None:
        self.errors = errors
        self.status_code = status_code  # 429 when a field is refused for too many attempts
        super().__init__(message or "；".join(errors.values()) or self.default_message)


class FieldErrors:
    """Collects field errors, then raises them together as one Invalid."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


class ProgrammingError(RuntimeError):
    """A rule of the house was broken by code, not by input (always a 500, always logged)."""


class UnitOfWorkError(ProgrammingError):
    """A transaction rule was broken: nesting, a write in a read unit of work, no unit at all."""


class UnscopedQuery(ProgrammingError):
    """A query on a tenant table was written without its tenant."""
