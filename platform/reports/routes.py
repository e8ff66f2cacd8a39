"""Reports pages (Chinese): a program's page (overview and indicators) and the tenant dashboard,
each with a period picker, a village filter and CSV/XLSX export of every table."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from programs import repo as programs_repo
from programs.kinds import KIND_LABELS, PROGRAM_STATUSES, ProgramKind
from programs.schemas import ProgramId, ProgramRow
from reports import city, export, indicators
from reports.documents import services as document_services
from reports.indicators.base import IndicatorTable
from reports.periods import choices
from reports.repo import covered_areas
from reports.selection import Selection, period_leniently, select_leniently
from tenants import repo as tenants_repo
from tenants.auth_routes import current_user
from tenants.schemas import AreaRow
from wusong.core import db
from wusong.core.errors import Invalid, NotFound
from wusong.core.tenancy import EVERYONE, TenantContext
from wusong.core.views import View, ViewDep
from wusong.core.web import access, page, redirect

From = Annotated[str | None, QueryParameter(name="from")]


def village_groups(
    areas: list[AreaRow], allowed: set[Any] | None, selected: Any
) -> list[tuple[str, list[AreaRow]]]:
    """Villages by township for the filter (only ``allowed`` ones, when given)."""
    townships = {a.id: a.name for a in areas if a.kind == "township"}
    groups: dict[str, list[AreaRow]] = {}
    for area in areas:
        if area.kind != "village":
            continue
        if allowed is not None and area.id not in allowed and area.id != selected:
            continue
        township = townships.get(area.parent_id) if area.parent_id else None
        groups.setdefault(township or "其他", []).append(area)
    return list(groups.items())


async def _picker(view: View, selection: Selection, allowed: set[Any] | None) -> dict[str, Any]:
    areas = await tenants_repo.all_areas(view.ctx)
    village = next((a for a in areas if a.id == selection.village_id), None)
    offered = choices()
    listed = any(selection.period.key == key for group in offered.values() for key, _ in group)
    return {
        "selection": selection,
        "period": selection.period,
        "choices": offered,
        "period_listed": listed,
        "villages": village_groups(areas, allowed, selection.village_id),
        "village": village,
        "problems": selection.problems,
    }


def _chosen(tables: list[IndicatorTable], key: str | None, fmt: str) -> list[IndicatorTable]:
    """The table ``key`` names; without one, every table (XLSX: a sheet each) or the first
    (CSV holds one table)."""
    if not key:
        if not tables:
            raise NotFound("该页面没有可导出的指标表")
        return tables if fmt == "xlsx" else tables[:1]
    found = [t for t in tables if t.key == key]
    if not found:
        raise Invalid({"table": "参数 table 应为本页的一个指标表"})
    return found


def _download(
    tables: list[IndicatorTable],
    fmt: str,
    name: str,
    selection: Selection,
    about: dict[str, str],
) -> Response[bytes]:
    period = selection.period
    one = len(tables) == 1
    title = tables[0].title if one else "全部指标"
    filename = f"{name}-{title}-{period.label}.{fmt}"
    fallback = f"{tables[0].key if one else 'indicators'}-{period.key}.{fmt}"
    if fmt == "csv":
        body, media_type = export.to_csv(tables[0]), export.CSV_TYPE
    else:
        body, media_type = export.to_xlsx(tables, about), export.XLSX_TYPE
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": export.content_disposition(filename, fallback)},
    )


def _format(view: View) -> str:
    return "xlsx" if view.request.url.path.endswith(".xlsx") else "csv"


async def _program_page_data(
    ctx: TenantContext,
    program_id: Any,
    period: str | None,
    start: str | None,
    end: str | None,
    village: str | None,
) -> tuple[ProgramRow, Selection, list[IndicatorTable]]:
    program = await programs_repo.get_program(ctx, program_id)
    selection = await select_leniently(ctx, period, start, end, village)
    tables = await indicators.program_tables(ctx, program, selection.period, selection.village_id)
    return program, selection, tables


async def _dashboard_data(
    ctx: TenantContext, period: str | None, start: str | None, end: str | None, village: str | None
) -> tuple[Selection, list[IndicatorTable]]:
    selection = await select_leniently(ctx, period, start, end, village)
    tables = await indicators.tenant_tables(ctx, selection.period, selection.village_id)
    return selection, tables


def _about(ctx: TenantContext, selection: Selection, village: str, subject: str) -> dict[str, str]:
    return {
        "区县": ctx.tenant_name,
        "范围": subject,
        "期间": selection.period.label,
        "村/社区": village or "全部",
    }


async def _village_name(ctx: TenantContext, selection: Selection) -> str:
    if selection.village_id is None:
        return ""
    return (await tenants_repo.get_area(ctx, selection.village_id)).name


class ReportPages(Controller):
    path = "/"

    # ---- a program's page: overview and indicators --------------------------------------------

    @get("/programs/{program_id:uuid}", name="programs.detail", opt=access(EVERYONE))
    async def program_detail(
        self,
        view: ViewDep,
        program_id: FromPath[ProgramId],
        period: FromQuery[str | None] = None,
        from_: From = None,
        to: FromQuery[str | None] = None,
        village: FromQuery[str | None] = None,
    ) -> Template:
        ctx = view.ctx
        program, selection, tables = await _program_page_data(
            ctx, program_id, period, from_, to, village
        )
        covered = await covered_areas(ctx, program.id)
        areas = await tenants_repo.all_areas(ctx)
        allowed: set[Any] | None = None
        if covered:
            townships = {a.id for a in covered if a.kind == "township"}
            allowed = {a.id for a in covered} | {a.id for a in areas if a.parent_id in townships}
        config = await programs_repo.config_version(ctx, program.id)
        return await view.render(
            "reports/program.html",
            program=program,
            kind_label=KIND_LABELS[ProgramKind(program.kind)],
            status_label=PROGRAM_STATUSES.get(program.status, program.status),
            covered=covered,
            config=config,
            tables=tables,
            export_base=view.url(f"/programs/{program.id}/export"),
            **await _picker(view, selection, allowed),
        )

    @get(
        ["/programs/{program_id:uuid}/export.csv", "/programs/{program_id:uuid}/export.xlsx"],
        name="programs.export",
        opt=access(EVERYONE),
    )
    async def program_export(
        self,
        view: ViewDep,
        program_id: FromPath[ProgramId],
        table: FromQuery[str | None] = None,
        period: FromQuery[str | None] = None,
        from_: From = None,
        to: FromQuery[str | None] = None,
        village: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """One indicator table (``table``) as CSV or XLSX; without ``table``, every table."""
        return await self._program_export(
            view, program_id, _format(view), table, period, from_, to, village
        )

    async def _program_export(
        self,
        view: View,
        program_id: Any,
        fmt: str,
        table: str | None,
        period: str | None,
        start: str | None,
        end: str | None,
        village: str | None,
    ) -> Response[bytes]:
        ctx = view.ctx
        program, selection, tables = await _program_page_data(
            ctx, program_id, period, start, end, village
        )
        if selection.problems:
            raise Invalid(selection.problems)
        chosen = _chosen(tables, table, fmt)
        about = _about(ctx, selection, await _village_name(ctx, selection), program.name)
        return _download(chosen, fmt, program.name, selection, about)

    # ---- the tenant dashboard -------------------------------------------------------------

    @get("/dashboard", name="reports.dashboard", opt=access(EVERYONE))
    async def dashboard(
        self,
        view: ViewDep,
        period: FromQuery[str | None] = None,
        from_: From = None,
        to: FromQuery[str | None] = None,
        village: FromQuery[str | None] = None,
    ) -> Template:
        selection, tables = await _dashboard_data(view.ctx, period, from_, to, village)
        return await view.render(
            "reports/dashboard.html",
            tables=tables,
            export_base=view.url("/dashboard/export"),
            **await _picker(view, selection, None),
        )

    @get(
        ["/dashboard/export.csv", "/dashboard/export.xlsx"],
        name="reports.dashboard_export",
        opt=access(EVERYONE),
    )
    async def dashboard_export(
        self,
        view: ViewDep,
        table: FromQuery[str | None] = None,
        period: FromQuery[str | None] = None,
        from_: From = None,
        to: FromQuery[str | None] = None,
        village: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """One dashboard table (``table``) as CSV or XLSX; without ``table``, every table."""
        return await self._dashboard_export(view, _format(view), table, period, from_, to, village)

    async def _dashboard_export(
        self,
        view: View,
        fmt: str,
        table: str | None,
        period: str | None,
        start: str | None,
        end: str | None,
        village: str | None,
    ) -> Response[bytes]:
        ctx = view.ctx
        selection, tables = await _dashboard_data(ctx, period, start, end, village)
        if selection.problems:
            raise Invalid(selection.problems)
        chosen = _chosen(tables, table, fmt)
        about = _about(ctx, selection, await _village_name(ctx, selection), "数据看板")
        return _download(chosen, fmt, f"{ctx.tenant_name}数据看板", selection, about)


class CityPages(Controller):
    """The city overview (outside any county: each county is read in its own unit of work)."""

    path = "/city"

    @get("/", name="reports.city")
    async def city_overview(
        self,
        request: Request[Any, Any, Any],
        period: FromQuery[str | None] = None,
        from_: From = None,
        to: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        user = await current_user(request)
        if user is None:
            return Redirect("/login?next=/city", status_code=303)
        if user.must_change_password:
            return redirect("/account/password", "请先修改初始密码", "info")
        chosen, problems = period_leniently(period, from_, to)
        overview = await city.city_overview(user.user_id, chosen)  # NotFound: nothing to see
        # Each city's report is asked in (and kept by) the first of its counties listed.
        reports = []
        for section in overview.cities:
            home = city.county_context(user.user_id, section.counties[0])
            async with db.unit_of_work(writes=False, tenant_id=home.tenant_id):
                reports.append((home, await document_services.city_reports(home)))
        offered = choices()
        listed = any(chosen.key == key for group in offered.values() for key, _ in group)
        return page(
            request,
            "reports/city.html",
            user=user,
            overview=overview,
            sections=[
                (section, city.tables(section), home, asked)
                for section, (home, asked) in zip(overview.cities, reports, strict=True)
            ],
            period=chosen,
            choices=offered,
            period_listed=listed,
            problems=problems,
        )
