"""Red property pages (Chinese): the complex registry, a complex with its rating, the rubric,
inspections and complaints, under /t/{tenant}/programs/{program_id}/…"""

from __future__ import annotations

import json
from datetime import timedelta

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from programs.red_property import repo, services
from programs.red_property.forms import Gathered, inspection_payload, rows_of
from programs.red_property.pages import (
    COMPLAINT_FORM,
    COMPLAINT_ROLES,
    COMPLAINT_STATUS_FORM,
    COMPLEX_ACTIVE_FORM,
    COMPLEX_EDIT_FORM,
    COMPLEX_FORM,
    DUE_FILTERS,
    DUE_SOON_DAYS,
    INSPECTION_FORM,
    INSPECTORS,
    LIST_PAGE,
    RUBRIC_FORM,
    areas_filter,
    edit_complex_form,
    list_scope,
    page_context,
    parse_stars,
    parse_uuid,
    record_inspection_form,
    save_rubric_form,
    switch_complex_form,
)
from programs.red_property.schemas import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    ComplaintId,
    ComplexId,
    RedProgramId,
)
from wusong.core.tenancy import ADMIN, EVERYONE
from wusong.core.views import ViewDep, list_page, with_neighbours
from wusong.core.web import Form, access, redirect


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
        context = await page_context(view, program_id)
        today = context["today"]
        due = "any" if due == "1" else due
        filters = repo.ComplexFilter(
            village=parse_uuid(village),
            areas=await areas_filter(view.ctx, all),
            stars=parse_stars(stars),
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
        context = await page_context(view, program_id)
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
        await view.submit(edit, edit_complex_form, program_id, complex_id)
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
        row = await view.submit(switch, switch_complex_form, program_id, complex_id)
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
        saved = await view.submit(payload, save_rubric_form, program_id, gathered)
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
        page: FromQuery[str] = "",
    ) -> Template:
        context = await page_context(view, program_id)
        where = await list_scope(view, village, to, all)
        filters = repo.InspectionFilter(
            village=where.village, areas=where.areas, start=where.start, end=where.end,
            stars=parse_stars(stars),
        )  # fmt: skip
        at = list_page(page, LIST_PAGE)
        rows = await repo.list_inspections(
            view.ctx, program_id, filters, limit=LIST_PAGE + 1, offset=at.offset
        )
        return await view.render(
            "programs/red_property/inspections.html",
            inspections=rows[:LIST_PAGE],
            pager=with_neighbours(view, at, len(rows) > LIST_PAGE),
            filters={**where.echo, "stars": stars},
            scoped_to_areas=where.areas is not None,
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
        row = await view.submit(payload, record_inspection_form, program_id, complex_id)
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
        page: FromQuery[str] = "",
    ) -> Template:
        context = await page_context(view, program_id)
        where = await list_scope(view, village, to, all)
        complex_id = view.request.query_params.get("complex", "")
        filters = repo.ComplaintFilter(
            village=where.village, areas=where.areas, start=where.start, end=where.end,
            complex_id=parse_uuid(complex_id),
            collective={"1": True, "0": False}.get(collective),
            status=status if status in COMPLAINT_STATUSES else "",
            category=category if category in COMPLAINT_CATEGORIES else "",
        )  # fmt: skip
        at = list_page(page, LIST_PAGE)
        rows = await repo.list_complaints(
            view.ctx, program_id, filters, limit=LIST_PAGE + 1, offset=at.offset
        )
        return await view.render(
            "programs/red_property/complaints.html",
            complaints=rows[:LIST_PAGE],
            pager=with_neighbours(view, at, len(rows) > LIST_PAGE),
            filters={
                **where.echo,
                "collective": collective,
                "status": filters.status,
                "category": filters.category,
                "complex": complex_id,
            },
            scoped_to_areas=where.areas is not None,
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
