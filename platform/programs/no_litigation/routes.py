"""No-litigation village pages (Chinese): per-period statuses, the pilot list, the rubric, and
the count forms. Paths sit under ``/programs/{program_id}/no-litigation``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from programs.no_litigation import repo, services
from programs.no_litigation.config import FAILED_LABELS, GRANULARITIES, INDICATORS, Config
from programs.no_litigation.schemas import (
    STATUSES,
    CountCreate,
    CountEdit,
    CountId,
    NoLitigationProgramId,
    PilotCreate,
    PilotEdit,
    PilotId,
    RubricForm,
)
from tenants import repo as tenants_repo
from tenants.services import work_scope
from wusong.core.errors import Invalid
from wusong.core.tenancy import ADMIN, EVERYONE, Role, TenantContext
from wusong.core.views import FormPage, View, ViewDep
from wusong.core.web import Form, access, redirect

# Who may enter counts: admins, and staff of the program of these roles (programs.access).
WRITERS = frozenset({Role.ADMIN, Role.COURT_REVIEWER, Role.MEDIATOR, Role.VILLAGE_OFFICER})
BASE = "/programs/{program_id:uuid}/no-litigation"


def _program_id(view: View) -> UUID:
    program_id: UUID = view.request.path_params["program_id"]
    return program_id


def _base(view: View) -> str:
    return view.url(f"/programs/{_program_id(view)}/no-litigation")


async def _program_context(view: View, tab: str) -> dict[str, Any]:
    """What every page of the slice shows: the program, its rubric and its tab bar."""
    program = await services.no_litigation_program(view.ctx, _program_id(view))
    current = await services.rubric(view.ctx, program.id)
    return {
        "program": program,
        "rubric": current,
        "nl_base": _base(view),
        "current_tab": f"/no-litigation/{tab}",
    }


async def _pilots_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _program_context(view, "villages")
    pilots = await repo.list_pilots(view.ctx, _program_id(view))
    taken = {p.village_id for p in pilots}
    areas = await tenants_repo.all_areas(view.ctx)
    names: dict[UUID | None, str] = {a.id: a.name for a in areas}
    choices = [
        (a.id, f"{names.get(a.parent_id, '')} · {a.name}")
        for a in areas
        if a.kind == "village" and a.active and a.id not in taken
    ]
    return {**context, "pilots": pilots, "choices": choices}


async def _pilot_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _program_context(view, "villages")
    pilot = await repo.get_pilot(view.ctx, _program_id(view), view.request.path_params["pilot_id"])
    return {**context, "pilot": pilot}


async def _rubric_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _program_context(view, "rubric")
    versions = await repo.rubric_versions(view.ctx, _program_id(view))
    return {**context, "versions": versions}


async def _count_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _program_context(view, "status")
    return {**context, "pilots": await repo.list_pilots(view.ctx, _program_id(view))}


async def _count_edit_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _program_context(view, "status")
    count = await repo.get_count(view.ctx, _program_id(view), view.request.path_params["count_id"])
    used = await services.rubric(view.ctx, _program_id(view), count.config_version)
    return {**context, "count": count, "count_rubric": used}


async def _current_pilot(view: View) -> dict[str, Any]:
    pilot = await repo.get_pilot(view.ctx, _program_id(view), view.request.path_params["pilot_id"])
    return {
        "population": pilot.population,
        "households": pilot.households,
        "version": pilot.version,
    }


async def _current_count(view: View) -> dict[str, Any]:
    count = await repo.get_count(view.ctx, _program_id(view), view.request.path_params["count_id"])
    names = ("lawsuits", "disputes_received", "disputes_settled", "note", "version")
    return {name: getattr(count, name) for name in names}


async def _current_rubric(view: View) -> dict[str, Any]:
    current = await services.rubric(view.ctx, _program_id(view))
    return _rubric_values(current.config, current.version_no)


PILOT_FORM = FormPage(PilotCreate, "programs/no_litigation/villages.html", context=_pilots_context)
PILOT_EDIT_FORM = FormPage(
    PilotEdit,
    "programs/no_litigation/village_edit.html",
    context=_pilot_context,
    current=_current_pilot,
)
RUBRIC_FORM = FormPage(
    RubricForm,
    "programs/no_litigation/rubric.html",
    context=_rubric_context,
    current=_current_rubric,
)
COUNT_FORM = FormPage(CountCreate, "programs/no_litigation/count_form.html", context=_count_context)
COUNT_EDIT_FORM = FormPage(
    CountEdit,
    "programs/no_litigation/count_edit.html",
    context=_count_edit_context,
    current=_current_count,
)


def _rubric_values(config: Config, version: int) -> dict[str, str]:
    return {
        "granularity": config.granularity,
        "use_lawsuits": "1" if "lawsuits" in config.indicators else "",
        "use_rate": "1" if "rate" in config.indicators else "",
        "use_settled": "1" if "settled" in config.indicators else "",
        "max_lawsuits": str(config.max_lawsuits),
        "max_rate_per_10k": str(config.max_rate_per_10k),
        "min_settled_percent": str(config.min_settled_percent),
        "version": str(version),
    }


async def _save_rubric_form(ctx: TenantContext, program_id: UUID, form: RubricForm) -> Any:
    """The page's rubric form as a configuration; its errors named by the form's fields."""
    indicators = [key for key in INDICATORS if getattr(form, f"use_{key}")]
    config = {
        "granularity": form.granularity,
        "indicators": indicators,
        "max_lawsuits": form.max_lawsuits,
        "max_rate_per_10k": form.max_rate_per_10k.strip() or "0",
        "min_settled_percent": form.min_settled_percent,
    }
    try:
        return await services.save_rubric(ctx, program_id, config, form.version)
    except Invalid as error:
        renamed = {
            ("use_lawsuits" if k == "config.indicators" else k.removeprefix("config.")): v
            for k, v in error.errors.items()
        }
        raise Invalid(renamed) from None


async def _edit_pilot(ctx: TenantContext, program_id: UUID, pilot_id: UUID, form: PilotEdit) -> Any:
    return await services.update_pilot(ctx, program_id, pilot_id, form, form.version)


async def _edit_count(ctx: TenantContext, program_id: UUID, count_id: UUID, form: CountEdit) -> Any:
    return await services.correct_count(ctx, program_id, count_id, form, form.version)


class NoLitigationPages(Controller):
    path = BASE

    @get("/status", name="no_litigation.status", opt=access(EVERYONE))
    async def status(
        self,
        view: ViewDep,
        program_id: FromPath[NoLitigationProgramId],
        period: FromQuery[str] = "",
        to: FromQuery[str] = "",
        village: FromQuery[str] = "",
        status: FromQuery[str] = "",
    ) -> Template:
        """Each pilot village's status in a period. Filters: ``period`` (2024, 2024-Q3), or
        ``from``/``to`` (yyyy-mm-dd); ``village`` (area id); ``status`` (met, failed, missing);
        ``scope=all`` shows villages outside the member's work areas too."""
        context = await _program_context(view, "status")
        rubric = context["rubric"]
        start = view.request.query_params.get("from", "")
        scope = view.request.query_params.get("scope", "")
        chosen = await services.choose_period(
            view.ctx, program_id, rubric.config.granularity, period.strip(), start, to
        )
        village_id = _uuid_or_none(village)
        wanted = status if status in STATUSES else None
        rows = await repo.village_statuses(
            view.ctx, program_id, chosen.start, chosen.end, village_id=village_id, status=wanted
        )
        scoped_to_mine = False
        if village_id is None and scope != "all":
            mine = await work_scope(view.ctx)
            if not mine.county:
                rows = [r for r in rows if mine.covers(r.village_id)]
                scoped_to_mine = True
        summary = await repo.status_summary(
            view.ctx, program_id, chosen.start, chosen.end, chosen.label, village_id=village_id
        )
        keys = await repo.period_keys(view.ctx, program_id)
        if chosen.key != "custom" and chosen.key not in keys:
            keys = sorted({*keys, chosen.key}, reverse=True)
        return await view.render(
            "programs/no_litigation/status.html",
            **context,
            period=chosen,
            periods=keys,
            rows=rows,
            summary=summary,
            pilots=await repo.list_pilots(view.ctx, program_id),
            filters={"village": village, "status": status, "scope": scope},
            scoped_to_mine=scoped_to_mine,
            can_write=view.ctx.role in WRITERS,
        )

    # ---- pilot villages ------------------------------------------------------------------

    @get("/villages", name="no_litigation.villages", opt=access(EVERYONE, form=PILOT_FORM))
    async def villages(
        self, view: ViewDep, program_id: FromPath[NoLitigationProgramId]
    ) -> Template:
        return await view.show_form({})

    @post(
        "/villages",
        name="no_litigation.villages.add",
        opt=access(ADMIN, writes=True, form=PILOT_FORM),
    )
    async def village_add(
        self, view: ViewDep, program_id: FromPath[NoLitigationProgramId], data: Form
    ) -> Redirect:
        pilot = await view.submit(data, services.add_pilot, program_id)
        return redirect(
            f"{_base(view)}/villages#pilot-{pilot.id}", f"已加入试点：{pilot.village_name}"
        )

    @get(
        "/villages/{pilot_id:uuid}/edit",
        name="no_litigation.villages.edit",
        opt=access(ADMIN, form=PILOT_EDIT_FORM),
    )
    async def village_edit(
        self,
        view: ViewDep,
        program_id: FromPath[NoLitigationProgramId],
        pilot_id: FromPath[PilotId],
    ) -> Template:
        loaded = await _pilot_context(view, {})
        pilot = loaded["pilot"]
        values = {
            "population": str(pilot.population),
            "households": "" if pilot.households is None else str(pilot.households),
            "version": str(pilot.version),
        }
        return await view.show_form(values, loaded=loaded)

    @post(
        "/villages/{pilot_id:uuid}/edit",
        name="no_litigation.villages.update",
        opt=access(ADMIN, writes=True, form=PILOT_EDIT_FORM),
    )
    async def village_update(
        self,
        view: ViewDep,
        program_id: FromPath[NoLitigationProgramId],
        pilot_id: FromPath[PilotId],
        data: Form,
    ) -> Redirect:
        await view.submit(data, _edit_pilot, program_id, pilot_id)
        return redirect(f"{_base(view)}/villages#pilot-{pilot_id}", "已保存人口")

    # ---- the rubric ----------------------------------------------------------------------

    @get("/rubric", name="no_litigation.rubric", opt=access(EVERYONE, form=RUBRIC_FORM))
    async def rubric(self, view: ViewDep, program_id: FromPath[NoLitigationProgramId]) -> Template:
        loaded = await _rubric_context(view, {})
        current = loaded["rubric"]
        values = _rubric_values(current.config, current.version_no)
        return await view.show_form(values, loaded=loaded)

    @post(
        "/rubric",
        name="no_litigation.rubric.save",
        opt=access(ADMIN, writes=True, form=RUBRIC_FORM),
    )
    async def rubric_save(
        self, view: ViewDep, program_id: FromPath[NoLitigationProgramId], data: Form
    ) -> Redirect:
        saved = await view.submit(data, _save_rubric_form, program_id)
        return redirect(
            f"{_base(view)}/rubric",
            f"已保存为第 {saved.version_no} 版评价标准：已评定的统计周期仍按原版本",
        )

    # ---- counts --------------------------------------------------------------------------

    @get("/counts/new", name="no_litigation.counts.new", opt=access(WRITERS, form=COUNT_FORM))
    async def count_new(
        self,
        view: ViewDep,
        program_id: FromPath[NoLitigationProgramId],
        village: FromQuery[str] = "",
        period: FromQuery[str] = "",
    ) -> Template | Redirect:
        village_id = _uuid_or_none(village)
        if village_id is not None and period:
            pilot = await repo.pilot_by_area(view.ctx, program_id, village_id)
            existing = pilot and await repo.count_for(view.ctx, program_id, pilot.id, period)
            if existing:  # one record per village and period: correct it instead
                return redirect(f"{_base(view)}/counts/{existing.id}/edit")
        return await view.show_form({"village_id": village, "period": period})

    @post(
        "/counts/new",
        name="no_litigation.counts.create",
        opt=access(WRITERS, writes=True, form=COUNT_FORM),
    )
    async def count_create(
        self, view: ViewDep, program_id: FromPath[NoLitigationProgramId], data: Form
    ) -> Redirect:
        count = await view.submit(data, services.record_count, program_id)
        status = STATUSES[count.status]
        return redirect(
            f"{_base(view)}/status?period={count.period}",
            f"已录入{count.village_name} {count.period} 的统计：{status}",
        )

    @get(
        "/counts/{count_id:uuid}/edit",
        name="no_litigation.counts.edit",
        opt=access(WRITERS, form=COUNT_EDIT_FORM),
    )
    async def count_edit(
        self,
        view: ViewDep,
        program_id: FromPath[NoLitigationProgramId],
        count_id: FromPath[CountId],
    ) -> Template:
        loaded = await _count_edit_context(view, {})
        count = loaded["count"]
        values = {
            "lawsuits": str(count.lawsuits),
            "disputes_received": _text(count.disputes_received),
            "disputes_settled": _text(count.disputes_settled),
            "note": count.note,
            "version": str(count.version),
        }
        return await view.show_form(values, loaded=loaded)

    @post(
        "/counts/{count_id:uuid}/edit",
        name="no_litigation.counts.update",
        opt=access(WRITERS, writes=True, form=COUNT_EDIT_FORM),
    )
    async def count_update(
        self,
        view: ViewDep,
        program_id: FromPath[NoLitigationProgramId],
        count_id: FromPath[CountId],
        data: Form,
    ) -> Redirect:
        count = await view.submit(data, _edit_count, program_id, count_id)
        return redirect(
            f"{_base(view)}/status?period={count.period}",
            f"已更正{count.village_name} {count.period} 的统计：{STATUSES[count.status]}",
        )


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


TEMPLATE_GLOBALS = {
    "NL_GRANULARITIES": GRANULARITIES,
    "NL_INDICATORS": INDICATORS,
    "NL_FAILED": FAILED_LABELS,
    "NL_STATUSES": STATUSES,
}
