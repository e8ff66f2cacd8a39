"""Programs pages (Chinese): the list, a new program, its settings and configuration versions,
its staff, and the activity log of studios, shared courts and help teams.

The program's overview page (GET /programs/{program_id}, with its indicators) is the reports
domain's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from programs import repo, services
from programs.kinds import KIND_LABELS, PROGRAM_STATUSES, ConfigData, ProgramKind
from programs.registry import FORM_FIELDS, KINDS, config_from_form, config_summary
from programs.repo import ActivityFilter
from programs.schemas import (
    ActivityCreate,
    ActivityDelete,
    ConfigEdit,
    ConfigSave,
    Confirm,
    ProgramAreasForm,
    ProgramCreate,
    ProgramEdit,
    ProgramForm,
    ProgramId,
    ProgramRow,
    ProgramUpdate,
    StaffAdd,
    Transition,
)
from programs.tables import Activity
from tenants import repo as tenants_repo
from tenants.schemas import MembershipId
from tenants.services import area_tree, work_scope
from wusong.core.errors import FieldErrors, Invalid, NotFound
from wusong.core.scoped import require_owned
from wusong.core.tenancy import ADMIN, EVERYONE, Role, TenantContext
from wusong.core.views import CheckboxForm, FormPage, View, ViewDep, checked
from wusong.core.web import Form, access, redirect

# Who may log activities (each also staffs the program and works in the village).
RECORDERS = frozenset({Role.ADMIN, Role.MEDIATOR, Role.COURT_REVIEWER, Role.VILLAGE_OFFICER})
PAGE_SIZE = 50


def _program_id(view: View) -> UUID:
    return UUID(str(view.request.path_params["program_id"]))


def _targets_and_config(kind: str, data: Mapping[str, str], form: Any) -> dict[str, Any]:
    """``targets.<key>`` inputs as the targets (blank: none) and ``config.<field>`` inputs as
    the configuration (for the types configured here; a form without any: the defaults)."""
    spec = KINDS.get(kind)  # type: ignore[call-overload]
    values: dict[str, Any] = {}
    if spec is not None:
        values["targets"] = {
            key: data[f"targets.{key}"].strip()
            for key in spec.targets
            if data.get(f"targets.{key}", "").strip()
        }
        if kind in FORM_FIELDS and any(k.startswith("config.") for k in form):
            many = {
                k: [str(v) for v in form.getall(k, [])] for k in form if k.startswith("config.")
            }
            values["config"] = config_from_form(kind, data, many)
    return values


# ---- what the forms show ------------------------------------------------------------------------


async def _new_context(view: View, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "kinds": KINDS,
        "form_fields": FORM_FIELDS,
        "area_tree": area_tree(await tenants_repo.all_areas(view.ctx)),
    }


async def _settings_context(view: View, values: dict[str, Any]) -> dict[str, Any]:
    ctx = view.ctx
    program = await repo.get_program(ctx, _program_id(view))
    versions = await repo.config_versions(ctx, program.id)
    current = versions[0].config if versions else {}
    return {
        "program": program,
        "defaults": _program_values(program),
        "spec": KINDS[ProgramKind(program.kind)],
        "form_fields": FORM_FIELDS.get(ProgramKind(program.kind), ()),
        "config": current,
        "summary": config_summary(program.kind, current),
        "versions": [(v, config_summary(program.kind, v.config)) for v in versions],
        "covered": await repo.program_area_ids(ctx, program.id),
        "area_tree": area_tree(await tenants_repo.all_areas(ctx)),
        "problem": (
            await services.activation_problem(ctx, program) if program.status == "draft" else None
        ),
    }


def _program_values(program: ProgramRow) -> dict[str, str]:
    """The settings form filled from the program."""
    return {
        "name": program.name,
        "host_org": program.host_org,
        "description": program.description,
        "starts_on": program.starts_on.isoformat() if program.starts_on else "",
        "ends_on": program.ends_on.isoformat() if program.ends_on else "",
        "version": str(program.version),
        **{f"targets.{k}": str(v) for k, v in program.targets.items()},
    }


async def _current_config_version(view: View) -> dict[str, Any]:
    program = await repo.get_program(view.ctx, _program_id(view))
    return {"version": program.config_version}


async def _staff_context(view: View, values: dict[str, Any]) -> dict[str, Any]:
    ctx = view.ctx
    program = await repo.get_program(ctx, _program_id(view))
    staff = await services.list_staff(ctx, program.id)
    on = {s.membership_id for s in staff}
    members = [m for m in await tenants_repo.list_members(ctx, active=True) if m.id not in on]
    return {"program": program, "staff": staff, "candidates": members}


async def _activities_context(view: View, values: dict[str, Any]) -> dict[str, Any]:
    q = view.request.query_params
    return await _activities_page(
        view,
        kind=q.get("kind", ""),
        start=q.get("from", ""),
        end=q.get("to", ""),
        village=q.get("village", ""),
        scope=q.get("scope", ""),
        page_no=q.get("page", "1"),
    )


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _area(value: str) -> UUID | None:
    try:
        return UUID(value.strip()) if value.strip() else None
    except ValueError:
        return None


async def _default_village(ctx: TenantContext, villages: list[Any]) -> str:
    """The member's own village among the program's, when they work in exactly one place."""
    scope = await work_scope(ctx)
    mine = [v for v in villages if not scope.county and v.id in scope.area_ids]
    return str(mine[0].id) if len(mine) >= 1 else ""


async def _activities_page(
    view: View,
    *,
    kind: str,
    start: str,
    end: str,
    village: str,
    scope: str,
    page_no: str,
) -> dict[str, Any]:
    ctx = view.ctx
    program = await services.activity_program(ctx, _program_id(view))
    villages = await services.covered_villages(ctx, program.id)
    names = {a.id: a.name for a in await tenants_repo.all_areas(ctx)}
    filtered = any(v.strip() for v in (kind, start, end, village))
    # Without filters a member sees their own areas first; a figure's link (filters) sees all.
    if scope not in {"mine", "all"}:
        scope = "all" if filtered or ctx.is_admin else "mine"
    work = await work_scope(ctx)
    areas = None if scope == "all" or work.county else work.area_ids
    f = ActivityFilter(
        kind=kind or None,
        start=_day(start),
        end=_day(end),
        village=_area(village),
        areas=areas,
    )
    page = max(1, int(page_no)) if page_no.isdigit() and len(page_no) < 6 else 1
    rows, total = await repo.list_activities(
        ctx, program.id, f, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    for row in rows:
        row.area_name = names.get(row.area_id, "") if row.area_id else ""
    return {
        "program": program,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": {"kind": kind, "from": start, "to": end, "village": village, "scope": scope},
        "bad_dates": [d for d in (start, end) if d.strip() and _day(d) is None],
        "offered": await services.offered_activities(ctx, program),
        "villages": villages,
        "can_record": ctx.role in RECORDERS and program.status == "active",
        "default_village": await _default_village(ctx, villages),
        "today": services.today().isoformat(),
        "limited": areas is not None,
    }


NEW_FORM = FormPage(ProgramForm, "programs/new.html", context=_new_context)
EDIT_FORM = FormPage(ProgramEdit, "programs/settings.html", context=_settings_context)
AREAS_FORM = FormPage(ProgramAreasForm, "programs/settings.html", context=_settings_context)
CONFIG_FORM = FormPage(
    ConfigEdit,
    "programs/settings.html",
    context=_settings_context,
    current=_current_config_version,
)
TRANSITION_FORM = FormPage(
    Transition, back=lambda view: view.url(f"/programs/{_program_id(view)}/settings")
)
STAFF_FORM = FormPage(StaffAdd, "programs/staff.html", context=_staff_context)
STAFF_REMOVE_FORM = FormPage(
    Confirm, back=lambda view: view.url(f"/programs/{_program_id(view)}/staff")
)
ACTIVITY_FORM = FormPage(ActivityCreate, "programs/activities.html", context=_activities_context)
ACTIVITY_DELETE_FORM = FormPage(
    ActivityDelete, "programs/activities.html", context=_activities_context
)


def _typed_targets(targets: dict[str, str]) -> dict[str, int]:
    """Targets typed on a page as whole numbers (full-width digits too), each bad one named."""
    errors = FieldErrors()
    found: dict[str, int] = {}
    for key, text in targets.items():
        value = unicodedata.normalize("NFKC", text).strip()
        if value.isascii() and value.isdigit() and len(value) <= 9:
            found[key] = int(value)
        else:
            errors.add(f"targets.{key}", "目标应填写不小于 0 的整数")
    errors.raise_if_any()
    return found


async def _create_program(ctx: TenantContext, form: ProgramForm) -> ProgramRow:
    fields = {f: getattr(form, f) for f in form.__struct_fields__ if f != "targets"}
    return await services.create_program(
        ctx, ProgramCreate(**fields, targets=_typed_targets(form.targets))
    )


async def _delete_activity(ctx: TenantContext, program_id: UUID, form: ActivityDelete) -> None:
    """The entry named in the form (a 422 naming ``activity_id`` when it is not this
    program's), deleted by its recorder or an admin."""
    await require_owned(ctx, Activity, form.activity_id, field="activity_id", label="活动记录")
    try:
        await repo.get_activity(ctx, program_id, form.activity_id)
    except NotFound:
        raise Invalid({"activity_id": "该活动记录不属于本项目"}) from None
    await services.delete_activity(ctx, program_id, form.activity_id)


async def _save_config(ctx: TenantContext, program_id: UUID, form: ConfigEdit) -> Any:
    config = msgspec.convert(form.config, ConfigData)
    return await services.save_config(ctx, program_id, ConfigSave(config=config), form.version)


async def _edit_program(ctx: TenantContext, program_id: UUID, form: ProgramEdit) -> ProgramRow:
    fields = {f: getattr(form, f) for f in ProgramUpdate.__struct_fields__ if f != "targets"}
    data = ProgramUpdate(**fields, targets=_typed_targets(form.targets))
    return await services.update_program(ctx, program_id, data, form.version)


class ProgramPages(Controller):
    path = "/programs"

    @get("/", name="programs.list", opt=access(EVERYONE))
    async def program_list(
        self,
        view: ViewDep,
        kind: FromQuery[str] = "",
        status: FromQuery[str] = "",
    ) -> Template:
        """Query: ``kind``, ``status``, ``scope`` (mine: staffed or covering my work areas;
        all). Members other than admins see theirs by default."""
        ctx = view.ctx
        scope = view.request.query_params.get("scope", "")
        if scope not in {"mine", "all"}:
            scope = "all" if ctx.is_admin else "mine"
        rows = await services.list_programs(
            ctx,
            kind=kind if kind in KIND_LABELS else None,
            status=status if status in PROGRAM_STATUSES else None,
            mine=scope == "mine",
        )
        return await view.render(
            "programs/list.html",
            programs=rows,
            filters={"kind": kind, "status": status, "scope": scope},
        )

    @get("/new", name="programs.new", opt=access(ADMIN, form=NEW_FORM))
    async def program_new(self, view: ViewDep, kind: FromQuery[str] = "") -> Template:
        spec = KINDS.get(kind)  # type: ignore[call-overload]
        if spec is None:
            return await view.show_form({"kind": ""})
        return await view.show_form({"kind": kind, "config": msgspec.to_builtins(spec.config())})

    @post("/new", name="programs.create", opt=access(ADMIN, writes=True, form=NEW_FORM))
    async def program_create(self, view: ViewDep, data: CheckboxForm) -> Redirect:
        form = await view.request.form()
        values = await checked(view, data, "area_ids")
        values.update(_targets_and_config(values.get("kind", ""), values, form))
        program = await view.submit(values, _create_program)
        return redirect(
            view.url(f"/programs/{program.id}/settings"),
            f"已新建项目：{program.name}。设置好覆盖区域、开始日期与配置后即可启动",
        )

    @get("/{program_id:uuid}/settings", name="programs.settings", opt=access(EVERYONE))
    async def program_settings(self, view: ViewDep, program_id: FromPath[ProgramId]) -> Template:
        loaded = await _settings_context(view, {})
        return await view.render("programs/settings.html", form={}, errors={}, **loaded)

    @post(
        "/{program_id:uuid}/settings",
        name="programs.update",
        opt=access(ADMIN, writes=True, form=EDIT_FORM),
    )
    async def program_update(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: Form
    ) -> Redirect:
        program = await repo.get_program(view.ctx, program_id)
        values: dict[str, Any] = dict(data)
        values.update(_targets_and_config(program.kind, data, await view.request.form()))
        values.pop("config", None)
        await view.submit(values, _edit_program, program_id)
        return redirect(view.url(f"/programs/{program_id}/settings"), "已保存项目信息")

    @post(
        "/{program_id:uuid}/areas",
        name="programs.set_areas",
        opt=access(ADMIN, writes=True, form=AREAS_FORM),
    )
    async def program_set_areas(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: CheckboxForm
    ) -> Redirect:
        values = await checked(view, {}, "area_ids")
        await view.submit(values, services.set_program_areas, program_id)
        return redirect(view.url(f"/programs/{program_id}/settings#areas"), "已保存覆盖区域")

    @post(
        "/{program_id:uuid}/config",
        name="programs.save_config",
        opt=access(ADMIN, writes=True, form=CONFIG_FORM),
    )
    async def program_save_config(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: CheckboxForm
    ) -> Redirect:
        program = await repo.get_program(view.ctx, program_id)
        flat = await checked(view, data)
        values: dict[str, Any] = {"version": flat.get("version", "")}
        values.update(_targets_and_config(program.kind, flat, await view.request.form()))
        values.pop("targets", None)
        saved = await view.submit(values, _save_config, program_id)
        return redirect(
            view.url(f"/programs/{program_id}/settings#config"),
            f"已保存配置（第 {saved.version_no} 版）",
        )

    @post(
        "/{program_id:uuid}/activate",
        name="programs.activate",
        opt=access(ADMIN, writes=True, form=TRANSITION_FORM),
    )
    async def program_activate(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: Form
    ) -> Redirect:
        program = await view.submit(data, services.activate_program, program_id)
        return redirect(view.url(f"/programs/{program_id}/settings"), f"已启动：{program.name}")

    @post(
        "/{program_id:uuid}/close",
        name="programs.close",
        opt=access(ADMIN, writes=True, form=TRANSITION_FORM),
    )
    async def program_close(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: Form
    ) -> Redirect:
        program = await view.submit(data, services.close_program, program_id)
        return redirect(view.url(f"/programs/{program_id}/settings"), f"已结束：{program.name}")

    # ---- staff ---------------------------------------------------------------------------

    @get("/{program_id:uuid}/staff", name="programs.staff", opt=access(EVERYONE))
    async def staff_list(self, view: ViewDep, program_id: FromPath[ProgramId]) -> Template:
        loaded = await _staff_context(view, {})
        return await view.render("programs/staff.html", form={}, errors={}, **loaded)

    @post(
        "/{program_id:uuid}/staff",
        name="programs.staff_add",
        opt=access(ADMIN, writes=True, form=STAFF_FORM),
    )
    async def staff_add(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: Form
    ) -> Redirect:
        member = await view.submit(data, services.add_staff, program_id)
        return redirect(
            view.url(f"/programs/{program_id}/staff"), f"已分配工作人员：{member.display_name}"
        )

    @post(
        "/{program_id:uuid}/staff/{membership_id:uuid}/remove",
        name="programs.staff_remove",
        opt=access(ADMIN, writes=True, form=STAFF_REMOVE_FORM),
    )
    async def staff_remove(
        self,
        view: ViewDep,
        program_id: FromPath[ProgramId],
        membership_id: FromPath[MembershipId],
        data: Form,
    ) -> Redirect:
        removed = await services.remove_staff(view.ctx, program_id, membership_id)
        message = "已移出该工作人员" if removed else "该用户不是本项目的工作人员"
        return redirect(view.url(f"/programs/{program_id}/staff"), message)

    # ---- activities ----------------------------------------------------------------------

    @get("/{program_id:uuid}/activities", name="programs.activities", opt=access(EVERYONE))
    async def activity_list(
        self,
        view: ViewDep,
        program_id: FromPath[ProgramId],
    ) -> Template:
        """Query: ``kind``, ``from`` and ``to`` (ISO days, inclusive), ``village`` (area id),
        ``scope`` (mine/all), ``page``."""
        loaded = await _activities_context(view, {})
        values = {
            "occurred_on": loaded["today"],
            "people": "1",
            "area_id": loaded["default_village"],
        }
        return await view.render("programs/activities.html", form=values, errors={}, **loaded)

    @post(
        "/{program_id:uuid}/activities",
        name="programs.activity_create",
        opt=access(RECORDERS, writes=True, form=ACTIVITY_FORM),
    )
    async def activity_create(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: Form
    ) -> Redirect:
        row = await view.submit(data, services.log_activity, program_id)
        return redirect(
            view.url(f"/programs/{program_id}/activities"),
            f"已登记：{row.occurred_on.isoformat()} {row.people} 人次",
        )

    @post(
        "/{program_id:uuid}/activities/delete",
        name="programs.activity_delete",
        opt=access(RECORDERS, writes=True, form=ACTIVITY_DELETE_FORM),
    )
    async def activity_delete(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: Form
    ) -> Redirect:
        await view.submit(data, _delete_activity, program_id)
        return redirect(view.url(f"/programs/{program_id}/activities"), "已删除该活动记录")
