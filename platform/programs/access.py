"""Who may write a program's records: admins; otherwise a member who staffs the program, for an
area within their work areas. Records are written only while the program runs."""

from __future__ import annotations

from uuid import UUID

from programs import repo
from programs.schemas import ProgramRow
from tenants.services import work_scope
from wusong.core.errors import Conflict, Forbidden, NotFound
from wusong.core.tenancy import TenantContext


async def require_program_write(
    ctx: TenantContext,
    program_id: UUID,
    *,
    area_id: UUID | None = None,
    kind: str | None = None,
    require_active: bool = True,
) -> ProgramRow:
    """The program (404 when not this tenant's), when the acting member may record for it.

    ``kind``: the program must be of this type (a record of another type's program is a 404,
    as if the page did not exist). Forbidden (403) names why: not staff of the program, or the
    area outside the member's work areas. Conflict (409) when the program is not running.
    """
    program = await repo.get_program(ctx, program_id)
    if kind is not None and program.kind != kind:
        raise NotFound("未找到该项目")
    if ctx.role is not None and not ctx.is_admin:
        if not await repo.staffs_program(ctx, program_id, ctx.acting_user):
            raise Forbidden("您不是该项目的工作人员，请联系管理员分配")
        if area_id is not None and not (await work_scope(ctx)).covers(area_id):
            raise Forbidden("该村/社区不在您的工作区域内")
    if require_active and program.status != "active":
        state = "尚未启动" if program.status == "draft" else "已结束"
        raise Conflict(f"项目{state}，不能登记记录")
    return program
