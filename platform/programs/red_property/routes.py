"""Red property pages (Chinese): the complex registry, a complex with its rating, the rubric,
inspections and complaints, under /t/{tenant}/programs/{program_id}/…"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from programs.red_property import repo, services
from programs.red_property.forms import Gathered, inspection_payload, row_counts, rows_of
from programs.red_property.schemas import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    ComplaintCreate,
    ComplaintId,
    ComplaintUpdate,
    ComplexActive,
    ComplexCreate,
    ComplexEdit,
    ComplexId,
    ComplexUpdate,
    InspectionCreate,
    InspectionForm,
    RedProgramId,
    RubricForm,
    RubricOut,
    RubricSave,
)
from tenants import repo as tenants_repo
from tenants.services import work_scope
from wusong.core.errors import FieldErrors, Invalid
from wusong.core.tenancy import ADMIN, EVERYONE, Role, TenantContext
from wusong.core.views import FormPage, View, ViewDep
from wusong.core.web import Form, access, redirect

INSPECTORS = frozenset({Role.INSPECTOR})
COMPLAINT_ROLES = frozenset({Role.ADMIN, Role.INSPECTOR, Role.VILLAGE_OFFICER})
DUE_FILTERS = {
    "any": "待复评（全部）",
    "expired": "已过期",
    "soon": "30 天内到期",
    "never": "从未评星",
    "lapsed": "未评星或已过期",
}
DUE_SOON_DAYS = 30


# ---- query parameters: a value that cannot be read is no filter --------------------------------


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _stars(value: str) -> int | None:
    return int(value) if value in {"0", "1", "2", "3", "4", "5"} else None


async def _areas_filter(ctx: TenantContext, show_all: str) -> frozenset[UUID] | None:
    """The member's work areas, which lists default to (``all=1``: everywhere)."""
    if show_all == "1":
        return None
    scope = await work_scope(ctx)
    return None if scope.county else scope.area_ids


async def _page_context(view: View, program_id: UUID) -> dict[str, Any]:
    program = await services.get_program(view.ctx, program_id)
    areas = await tenants_repo.all_areas(view.ctx)
    return {
        "program": program,
        "villages": [a for a in areas if a.kind == "village"],
        "townships": [a for a in areas if a.kind == "township"],
        "today": services.today(),
        "base": view.url(f"/programs/{program_id}"),
        "COMPLAINT_CATEGORIES": COMPLAINT_CATEGORIES,
        "COMPLAINT_STATUSES": COMPLAINT_STATUSES,
    }


# ---- forms ---------------------------------------------------------------------------------


def _path(view: View, name: str) -> UUID:
    return UUID(str(view.request.path_params[name]))


async def _complex_form_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _page_context(view, _path(view, "program_id"))
    if "complex_id" in view.request.path_params:
        context["complex"] = await repo.get_complex(
            view.ctx, _path(view, "program_id"), _path(view, "complex_id")
        )
    return context


async def _rubric_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    program_id = _path(view, "program_id")
    context = await _page_context(view, program_id)
    context["rubric"] = await services.rubric_out(view.ctx, program_id)
    context["counts"] = row_counts(values)
    return context


async def _rubric_current(view: View) -> dict[str, Any]:
    program = await services.get_program(view.ctx, _path(view, "program_id"))
    return {"version": program.config_version}


async def _inspection_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    program_id = _path(view, "program_id")
    context = await _complex_form_context(view, values)
    version_no, config = await services.current_rubric(view.ctx, program_id)
    context.update(rubric_version=version_no, rubric=config)
    return context


def _back_to_complex(view: View) -> str:
    return view.url(
        f"/programs/{view.request.path_params['program_id']}"
        f"/complexes/{view.request.path_params['complex_id']}"
    )


def _back_to_complaints(view: View) -> str:
    return view.url(f"/programs/{view.request.path_params['program_id']}/complaints")


COMPLEX_FORM = FormPage(
    ComplexCreate, "programs/red_property/complex_form.html", context=_complex_form_context
)


async def _complex_current(view: View) -> dict[str, Any]:
    row = await repo.get_complex(view.ctx, _path(view, "program_id"), _path(view, "complex_id"))
    fields = ("name", "area_id", "address", "company", "households", "version")
    return {name: getattr(row, name) for name in fields}


COMPLEX_EDIT_FORM = FormPage(
    ComplexEdit,
    "programs/red_property/complex_form.html",
    context=_complex_form_context,
    current=_complex_current,
)
COMPLEX_ACTIVE_FORM = FormPage(ComplexActive, back=_back_to_complex)
RUBRIC_FORM = FormPage(
    RubricForm,
    "programs/red_property/rubric.html",
    context=_rubric_context,
    current=_rubric_current,
)
INSPECTION_FORM = FormPage(
    InspectionForm, "programs/red_property/inspection_form.html", context=_inspection_context
)
COMPLAINT_FORM = FormPage(
    ComplaintCreate, "programs/red_property/complaint_form.html", context=_complex_form_context
)
COMPLAINT_STATUS_FORM = FormPage(ComplaintUpdate, back=_back_to_complaints)


# ---- use cases as the forms call them --------------------------------------------------------


async def _edit_complex(
    ctx: TenantContext, program_id: UUID, complex_id: UUID, data: ComplexEdit
) -> Any:
    return await services.update_complex(ctx, program_id, complex_id, data, data.version)


async def _switch_complex(
    ctx: TenantContext, program_id: UUID, complex_id: UUID, data: ComplexActive
) -> Any:
    update = ComplexUpdate(active=data.active)
    return await services.update_complex(ctx, program_id, complex_id, update, data.version)


async def _save_rubric(
    ctx: TenantContext, program_id: UUID, gathered: Gathered, data: RubricForm
) -> RubricOut:
    if gathered.errors:
        raise Invalid(gathered.errors)
    version = data.version if data.version >= 0 else None
    try:
        return await services.save_rubric(ctx, program_id, RubricSave(gathered.config), version)
    except Invalid as error:
        raise Invalid(gathered.to_rows(error.errors)) from None


async def _record_inspection(
    ctx: TenantContext, program_id: UUID, complex_id: UUID, data: InspectionForm
) -> Any:
    errors = FieldErrors()
    day = _day(data.inspected_on.strip())
    if day is None:
        errors.add("inspected_on", "督察日期须为有效日期（如 2025-06-30）")
    scores: list[int] = []
    for i, raw in enumerate(json.loads(data.scores_json)):
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 4:
            scores.append(int(raw))
        else:
            errors.add(
                f"score_{i}", f"第{i + 1}项得分应填写整数" if raw else f"第{i + 1}项得分不能为空"
            )
    errors.raise_if_any()
    assert day is not None
    inspection = InspectionCreate(
        day, scores, json.loads(data.vetoes_json), data.notes, data.config_version
    )
    try:
        return await services.record_inspection(ctx, program_id, complex_id, inspection)
    except Invalid as error:
        raise Invalid(
            {k.replace("scores[", "score_").rstrip("]"): v for k, v in error.errors.items()}
        ) from None


class RedPropertyPages(Controller):
    path = "/programs/{program_id:uuid}"

    # ---- complexes -----------------------------------------------------------------------

    @get("/complexes", name="red_property.complexes", opt=access(EVERYONE))
    async def complexes(
        self,
        view: ViewDep,
        program_id: FromPath[RedProgramId],
        village: FromQuery[str] = "",
        stars: FromQuery[str] = "",
        due: FromQuery[str] = "",
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        all: FromQuery[str] = "",
    ) -> Template:
        context = await _page_context(view, program_id)
        today = context["today"]
        due = "any" if due == "1" else due
        filters = repo.ComplexFilter(
            village=_uuid(village),
            areas=await _areas_filter(view.ctx, all),
            stars=_stars(stars),
            due=due if due in DUE_FILTERS else "",
            q=q.strip()[:40],
            active=status != "inactive",
        )
        rows = await repo.list_complexes(
            view.ctx, program_id, filters, today, today + timedelta(days=DUE_SOON_DAYS)
        )
        return await view.render(
            "programs/red_property/complexes.html",
            complexes=rows,
            filters={
                "village": village,
                "stars": stars,
                "due": filters.due,
                "q": filters.q,
                "status": status,
                "all": all,
            },
            scoped_to_areas=filters.areas is not None,
            DUE_FILTERS=DUE_FILTERS,
            **context,
        )

    @get("/complexes/new", name="red_property.complexes.new", opt=access(ADMIN, form=COMPLEX_FORM))
    async def complex_new(
        self, view: ViewDep, program_id: FromPath[RedProgramId], village: FromQuery[str] = ""
    ) -> Template:
        return await view.show_form({"area_id": village, "households": ""})

    @post(
        "/complexes/new",
        name="red_property.complexes.create",
        opt=access(ADMIN, writes=True, form=COMPLEX_FORM),
    )
    async def complex_create(
        self, view: ViewDep, program_id: FromPath[RedProgramId], data: Form
    ) -> Redirect:
        row = await view.submit(data, services.create_complex, program_id)
        return redirect(
            view.url(f"/programs/{program_id}/complexes/{row.id}"), f"已新增小区：{row.name}"
        )

    @get("/complexes/{complex_id:uuid}", name="red_property.complex", opt=access(EVERYONE))
    async def complex_detail(
        self, view: ViewDep, program_id: FromPath[RedProgramId], complex_id: FromPath[ComplexId]
    ) -> Template:
        context = await _page_context(view, program_id)
        row = await repo.get_complex(view.ctx, program_id, complex_id)
        inspections = await repo.list_inspections(
            view.ctx, program_id, repo.InspectionFilter(complex_id=complex_id)
        )
        complaints = await repo.list_complaints(
            view.ctx, program_id, repo.ComplaintFilter(complex_id=complex_id)
        )
        return await view.render(
            "programs/red_property/complex.html",
            complex=row,
            inspections=inspections,
            complaints=complaints,
            **context,
        )

    @get(
        "/complexes/{complex_id:uuid}/edit",
        name="red_property.complexes.edit",
        opt=access(ADMIN, form=COMPLEX_EDIT_FORM),
    )
    async def complex_edit(
        self, view: ViewDep, program_id: FromPath[RedProgramId], complex_id: FromPath[ComplexId]
    ) -> Template:
        row = await repo.get_complex(view.ctx, program_id, complex_id)
        values = {
            "name": row.name, "area_id": str(row.area_id), "address": row.address,
            "company": row.company, "households": str(row.households),
            "version": str(row.version),
        }  # fmt: skip
        return await view.show_form(values)

    @post(
        "/complexes/{complex_id:uuid}/edit",
        name="red_property.complexes.update",
        opt=access(ADMIN, writes=True, form=COMPLEX_EDIT_FORM),
    )
    async def complex_update(
        self,
        view: ViewDep,
        program_id: FromPath[RedProgramId],
        complex_id: FromPath[ComplexId],
        data: Form,
    ) -> Redirect:
        edit = {k: v for k, v in data.items() if k != "active"}
        await view.submit(edit, _edit_complex, program_id, complex_id)
        return redirect(view.url(f"/programs/{program_id}/complexes/{complex_id}"), "已保存")

    @post(
        "/complexes/{complex_id:uuid}/active",
        name="red_property.complexes.set_active",
        opt=access(ADMIN, writes=True, form=COMPLEX_ACTIVE_FORM),
    )
    async def complex_set_active(
        self,
        view: ViewDep,
        program_id: FromPath[RedProgramId],
        complex_id: FromPath[ComplexId],
        data: Form,
    ) -> Redirect:
        switch = {"active": data.get("active", ""), "version": data.get("version", "")}
        row = await view.submit(switch, _switch_complex, program_id, complex_id)
        return redirect(
            view.url(f"/programs/{program_id}/complexes/{complex_id}"),
            f"已{'启用' if row.active else '停用'}：{row.name}",
        )

    # ---- the rubric ----------------------------------------------------------------------

    @get("/rubric", name="red_property.rubric", opt=access(EVERYONE, form=RUBRIC_FORM))
    async def rubric(self, view: ViewDep, program_id: FromPath[RedProgramId]) -> Template:
        program = await services.get_program(view.ctx, program_id)
        _, config = await services.current_rubric(view.ctx, program_id)
        values = {**rows_of(config), "version": str(program.config_version)}
        return await view.show_form(values)

    @post(
        "/rubric",
        name="red_property.rubric.save",
        opt=access(ADMIN, writes=True, form=RUBRIC_FORM),
    )
    async def rubric_save(
        self, view: ViewDep, program_id: FromPath[RedProgramId], data: Form
    ) -> Redirect:
        gathered = Gathered(data)
        payload = {**data, "config_json": json.dumps(gathered.config, ensure_ascii=False)}
        saved = await view.submit(payload, _save_rubric, program_id, gathered)
        return redirect(
            view.url(f"/programs/{program_id}/rubric"),
            f"已保存评星规则第 {saved.version_no} 版；此前的评星结果不受影响",
        )

    # ---- inspections ---------------------------------------------------------------------

    @get("/inspections", name="red_property.inspections", opt=access(EVERYONE))
    async def inspections(
        self,
        view: ViewDep,
        program_id: FromPath[RedProgramId],
        village: FromQuery[str] = "",
        stars: FromQuery[str] = "",
        to: FromQuery[str] = "",
        all: FromQuery[str] = "",
    ) -> Template:
        context = await _page_context(view, program_id)
        start, last = _day(view.request.query_params.get("from", "")), _day(to)
        filters = repo.InspectionFilter(
            village=_uuid(village),
            areas=await _areas_filter(view.ctx, all),
            start=start,
            end=last + timedelta(days=1) if last else None,
            stars=_stars(stars),
        )
        rows = await repo.list_inspections(view.ctx, program_id, filters)
        return await view.render(
            "programs/red_property/inspections.html",
            inspections=rows,
            filters={
                "village": village,
                "stars": stars,
                "from": start.isoformat() if start else "",
                "to": last.isoformat() if last else "",
                "all": all,
            },
            scoped_to_areas=filters.areas is not None,
            **context,
        )

    @get(
        "/complexes/{complex_id:uuid}/inspect",
        name="red_property.inspections.new",
        opt=access(INSPECTORS, form=INSPECTION_FORM),
    )
    async def inspection_new(
        self, view: ViewDep, program_id: FromPath[RedProgramId], complex_id: FromPath[ComplexId]
    ) -> Template:
        await repo.get_complex(view.ctx, program_id, complex_id)
        version_no, _ = await services.current_rubric(view.ctx, program_id)
        values = {"inspected_on": services.today().isoformat(), "config_version": str(version_no)}
        return await view.show_form(values)

    @post(
        "/complexes/{complex_id:uuid}/inspect",
        name="red_property.inspections.create",
        opt=access(INSPECTORS, writes=True, form=INSPECTION_FORM),
    )
    async def inspection_create(
        self,
        view: ViewDep,
        program_id: FromPath[RedProgramId],
        complex_id: FromPath[ComplexId],
        data: Form,
    ) -> Redirect:
        _, config = await services.current_rubric(view.ctx, program_id)
        payload = inspection_payload(data, len(config.criteria), len(config.vetoes))
        row = await view.submit(payload, _record_inspection, program_id, complex_id)
        stars = f"{row.stars}星" if row.stars else "无星"
        return redirect(
            view.url(f"/programs/{program_id}/complexes/{complex_id}"),
            f"已登记督察记录：{row.score} 分，{stars}"
            + (f"，{row.fee_level}" if row.fee_level else ""),
        )

    # ---- complaints ----------------------------------------------------------------------

    @get("/complaints", name="red_property.complaints", opt=access(EVERYONE))
    async def complaints(
        self,
        view: ViewDep,
        program_id: FromPath[RedProgramId],
        village: FromQuery[str] = "",
        to: FromQuery[str] = "",
        collective: FromQuery[str] = "",
        status: FromQuery[str] = "",
        category: FromQuery[str] = "",
        all: FromQuery[str] = "",
    ) -> Template:
        context = await _page_context(view, program_id)
        start, last = _day(view.request.query_params.get("from", "")), _day(to)
        filters = repo.ComplaintFilter(
            complex_id=_uuid(view.request.query_params.get("complex", "")),
            village=_uuid(village),
            areas=await _areas_filter(view.ctx, all),
            start=start,
            end=last + timedelta(days=1) if last else None,
            collective={"1": True, "0": False}.get(collective),
            status=status if status in COMPLAINT_STATUSES else "",
            category=category if category in COMPLAINT_CATEGORIES else "",
        )
        rows = await repo.list_complaints(view.ctx, program_id, filters)
        return await view.render(
            "programs/red_property/complaints.html",
            complaints=rows,
            filters={
                "village": village,
                "from": start.isoformat() if start else "",
                "to": last.isoformat() if last else "",
                "collective": collective,
                "status": filters.status,
                "category": filters.category,
                "complex": view.request.query_params.get("complex", ""),
                "all": all,
            },
            scoped_to_areas=filters.areas is not None,
            **context,
        )

    @get(
        "/complexes/{complex_id:uuid}/complaints/new",
        name="red_property.complaints.new",
        opt=access(COMPLAINT_ROLES, form=COMPLAINT_FORM),
    )
    async def complaint_new(
        self, view: ViewDep, program_id: FromPath[RedProgramId], complex_id: FromPath[ComplexId]
    ) -> Template:
        await repo.get_complex(view.ctx, program_id, complex_id)
        return await view.show_form(
            {"received_on": services.today().isoformat(), "category": "service"}
        )

    @post(
        "/complexes/{complex_id:uuid}/complaints/new",
        name="red_property.complaints.create",
        opt=access(COMPLAINT_ROLES, writes=True, form=COMPLAINT_FORM),
    )
    async def complaint_create(
        self,
        view: ViewDep,
        program_id: FromPath[RedProgramId],
        complex_id: FromPath[ComplexId],
        data: Form,
    ) -> Redirect:
        await view.submit(data, services.record_complaint, program_id, complex_id)
        return redirect(
            view.url(f"/programs/{program_id}/complexes/{complex_id}#complaints"), "已登记投诉"
        )

    @post(
        "/complaints/{complaint_id:uuid}/status",
        name="red_property.complaints.status",
        opt=access(COMPLAINT_ROLES, writes=True, form=COMPLAINT_STATUS_FORM),
    )
    async def complaint_status(
        self,
        view: ViewDep,
        program_id: FromPath[RedProgramId],
        complaint_id: FromPath[ComplaintId],
        data: Form,
    ) -> Redirect:
        row = await view.submit(data, services.update_complaint, program_id, complaint_id)
        return redirect(
            view.url(f"/programs/{program_id}/complaints"),
            f"已将“{row.complex_name}”的投诉标记为{COMPLAINT_STATUSES[row.status]}",
        )
