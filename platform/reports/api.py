"""Reports JSON API: a program's indicators and the tenant dashboard, as typed tables."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from programs import repo as programs_repo
from programs.schemas import ProgramId
from reports import indicators
from reports.city import CITY_ROLES, city_overview
from reports.periods import parse_period
from reports.schemas import (
    CityOverviewOut,
    Dashboard,
    ProgramIndicators,
    city_overview_out,
    period_out,
    table_out,
)
from reports.selection import select
from wusong.core.tenancy import EVERYONE
from wusong.core.web import Ctx, access

PeriodParam = Annotated[
    str | None,
    QueryParameter(
        description="期间：年份 2025、季度 2025-Q1、月份 2025-03，或 custom（配合 from、to）；"
        "缺省为本年（北京时间）"
    ),
]
FromParam = Annotated[
    str | None, QueryParameter(name="from", description="自定义期间的起始日期（含），2025-01-01")
]
ToParam = Annotated[
    str | None, QueryParameter(description="自定义期间的截止日期（含），2025-03-31")
]
VillageParam = Annotated[
    str | None, QueryParameter(description="只统计该村/社区（本区县区域的 UUID）")
]


class ReportApi(Controller):
    path = "/"
    tags = ["reports"]

    @get(
        "/programs/{program_id:uuid}/indicators",
        name="api.programs.indicators",
        opt=access(EVERYONE),
    )
    async def program_indicators(
        self,
        ctx: Ctx,
        program_id: FromPath[ProgramId],
        period: PeriodParam = None,
        from_: FromParam = None,
        to: ToParam = None,
        village: VillageParam = None,
    ) -> ProgramIndicators:
        """The program's indicator tables for the period, each figure with last year's value
        and a link to its records; a bad parameter is a 422 naming it."""
        program = await programs_repo.get_program(ctx, program_id)
        selection = await select(ctx, period, from_, to, village)
        tables = await indicators.program_tables(
            ctx, program, selection.period, selection.village_id
        )
        return ProgramIndicators(
            program_id=program.id,
            program_name=program.name,
            kind=program.kind,
            period=period_out(selection.period),
            village_id=selection.village_id,
            tables=[table_out(t) for t in tables],
        )

    @get("/dashboard", name="api.dashboard", opt=access(EVERYONE))
    async def dashboard(
        self,
        ctx: Ctx,
        period: PeriodParam = None,
        from_: FromParam = None,
        to: ToParam = None,
        village: VillageParam = None,
    ) -> Dashboard:
        """The tenant dashboard: programs by type and status, then every program type's
        figures for the period (and village)."""
        selection = await select(ctx, period, from_, to, village)
        tables = await indicators.tenant_tables(ctx, selection.period, selection.village_id)
        return Dashboard(
            period=period_out(selection.period),
            village_id=selection.village_id,
            tables=[table_out(t) for t in tables],
        )

    @get("/city", name="api.city", opt=access(CITY_ROLES, own_units=True))
    async def city(
        self, ctx: Ctx, period: PeriodParam = None, from_: FromParam = None, to: ToParam = None
    ) -> CityOverviewOut:
        """The city of this county, side by side: every county of that city where the token's
        user is a viewer or an administrator (this one included), each computed in its own
        transaction bound to that county, and the city total (counts summed, rates computed
        again from the sums). Aggregates only. The token's user must be a viewer or an
        administrator here."""
        chosen = parse_period(period, from_, to)
        overview = await city_overview(ctx.acting_user, chosen, city_of=ctx.tenant_id)
        return city_overview_out(overview)
