"""Who may read and change a case.

- Administrators read every case of the tenant (and assign mediators), change no case content.
- Mediators read and change the cases they are assigned to or opened, the cases of the areas
  they work in (``member_areas``: a township covers its villages) and of the programs they staff.
- Court reviewers read the cases in the court's view: court-referred cases and cases with a
  judicial-confirmation application; they change only court decisions (``mediation.court``).
- Everyone else reads aggregates only (the routes do not let them in).
A case of another tenant is a 404 before any of this (the repo reads only the tenant's rows).
"""

from __future__ import annotations

from uuid import UUID

from mediation import repo
from mediation.schemas import CaseRow
from programs import repo as programs_repo
from tenants import repo as tenants_repo
from tenants.services import work_scope
from wusong.core.errors import Forbidden
from wusong.core.tenancy import Role, TenantContext

# Who may open which pages: readers of cases, their writers, the court.
READERS = frozenset({Role.ADMIN, Role.MEDIATOR, Role.COURT_REVIEWER})
MEDIATORS = frozenset({Role.MEDIATOR})
COURT = frozenset({Role.COURT_REVIEWER})


async def my_membership(ctx: TenantContext) -> UUID | None:
    if ctx.user_id is None:
        return None
    member = await tenants_repo.member_by_user(ctx, ctx.user_id)
    return member.id if member is not None else None


async def mediator_covers(ctx: TenantContext, case: CaseRow) -> bool:
    """Is the case within the acting mediator's work: assigned, opened, area or program."""
    if ctx.user_id is not None and case.created_by == ctx.user_id:
        return True
    if case.mediator_id is not None and case.mediator_id == await my_membership(ctx):
        return True
    if case.area_id is not None and (await work_scope(ctx)).covers(case.area_id):
        return True
    if case.program_id is not None and ctx.user_id is not None:
        return await programs_repo.staffs_program(ctx, case.program_id, ctx.user_id)
    return False


async def can_read(ctx: TenantContext, case: CaseRow) -> bool:
    if ctx.role is None or ctx.role is Role.ADMIN:
        return True
    if ctx.role is Role.MEDIATOR:
        return await mediator_covers(ctx, case)
    if ctx.role is Role.COURT_REVIEWER:
        return case.source == "court" or await repo.has_confirmation(ctx, case.id)
    return False


async def readable_case(ctx: TenantContext, case_id: UUID) -> CaseRow:
    """The case (404 when not this tenant's) when the acting member may read it (else 403)."""
    case = await repo.get_case(ctx, case_id)
    if not await can_read(ctx, case):
        raise Forbidden("该案件不在您的工作范围内")
    return case


async def writable_case(ctx: TenantContext, case_id: UUID) -> CaseRow:
    """The case when the acting member may change it: its mediators (and the platform)."""
    case = await repo.get_case(ctx, case_id)
    if ctx.role is None:
        return case
    if ctx.role is not Role.MEDIATOR:
        if await can_read(ctx, case):
            raise Forbidden("您只能查看该案件，案件内容由承办调解员登记")
        raise Forbidden("该案件不在您的工作范围内")
    if not await mediator_covers(ctx, case):
        raise Forbidden("该案件不在您的工作范围内")
    return case
