"""What the red-property pages share: list filters, page context, the form pages and the use
cases as the forms call them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from programs.red_property import repo, services
from programs.red_property.config import decode
from programs.red_property.forms import Gathered, row_counts
from programs.red_property.schemas import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    ComplaintCreate,
    ComplaintUpdate,
    ComplexActive,
    ComplexCreate,
    ComplexEdit,
    ComplexUpdate,
    InspectionCreate,
    InspectionForm,
    RubricForm,
    RubricOut,
    RubricSave,
)
from tenants import repo as tenants_repo
from tenants.services import work_scope
from wusong.core.errors import FieldErrors, Invalid
from wusong.core.tenancy import Role, TenantContext
from wusong.core.views import FormPage, View

INSPECTORS = frozenset({Role.INSPECTOR})
COMPLAINT_ROLES = services.COMPLAINT_ROLES
DUE_FILTERS = {
    "any": "待复评（全部）",
    "expired": "已过期",
    "soon": "30 天内到期",
    "never": "从未评星",
    "lapsed": "未评星或已过期",
}
DUE_SOON_DAYS = 30


# ---- query parameters: a value that cannot be read is no filter --------------------------------


def parse_uuid(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


LIST_PAGE = 100  # inspections or complaints per page


def parse_stars(value: str) -> int | None:
    return int(value) if value in {"0", "1", "2", "3", "4", "5"} else None


async def areas_filter(ctx: TenantContext, show_all: str) -> frozenset[UUID] | None:
    """The member's work areas, which lists default to (``all=1``: everywhere)."""
    if show_all == "1":
        return None
    scope = await work_scope(ctx)
    return None if scope.county else scope.area_ids


@dataclass(frozen=True)
class ListScope:
    """The filters every record list shares: where (a village or township, else the member's
    work areas unless ``all=1``) and when (``from``/``to``, both inclusive days)."""

    village: UUID | None
    areas: frozenset[UUID] | None
    start: date | None
    end: date | None  # exclusive
    echo: dict[str, str]


async def list_scope(view: View, village: str, to: str, show_all: str) -> ListScope:
    start, last = parse_day(view.request.query_params.get("from", "")), parse_day(to)
    return ListScope(
        village=parse_uuid(village),
        areas=await areas_filter(view.ctx, show_all),
        start=start,
        end=last + timedelta(days=1) if last else None,
        echo={
            "village": village,
            "from": start.isoformat() if start else "",
            "to": last.isoformat() if last else "",
            "all": show_all,
        },
    )


async def page_context(view: View, program_id: UUID) -> dict[str, Any]:
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
    context = await page_context(view, _path(view, "program_id"))
    if "complex_id" in view.request.path_params:
        context["complex"] = await repo.get_complex(
            view.ctx, _path(view, "program_id"), _path(view, "complex_id")
        )
    return context


async def _rubric_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    program_id = _path(view, "program_id")
    context = await page_context(view, program_id)
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


async def edit_complex_form(
    ctx: TenantContext, program_id: UUID, complex_id: UUID, data: ComplexEdit
) -> Any:
    return await services.update_complex(ctx, program_id, complex_id, data, data.version)


async def switch_complex_form(
    ctx: TenantContext, program_id: UUID, complex_id: UUID, data: ComplexActive
) -> Any:
    update = ComplexUpdate(active=data.active)
    return await services.update_complex(ctx, program_id, complex_id, update, data.version)


async def save_rubric_form(
    ctx: TenantContext, program_id: UUID, gathered: Gathered, data: RubricForm
) -> RubricOut:
    if gathered.errors:
        raise Invalid(gathered.errors)
    version = data.version if data.version >= 0 else None
    try:
        return await services.save_rubric(
            ctx, program_id, RubricSave(decode(gathered.config)), version
        )
    except Invalid as error:
        raise Invalid(gathered.to_rows(error.errors)) from None


async def record_inspection_form(
    ctx: TenantContext, program_id: UUID, complex_id: UUID, data: InspectionForm
) -> Any:
    errors = FieldErrors()
    day = parse_day(data.inspected_on.strip())
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
