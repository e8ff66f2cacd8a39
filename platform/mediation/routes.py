"""Case pages (Chinese): the case list with its filters and the party search, intake, the case
page (parties, the proceedings and court sections, the timeline), corrections, parties,
assignment, and the administrator's mediation settings and categories."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mediation import access, forms, repo, services
from mediation.access import MEDIATORS, READERS
from mediation.categories import SOURCES
from mediation.config import PROCEDURES, MediationConfig, case_number
from mediation.court.routes import case_section as court_section
from mediation.deadlines import days_left
from mediation.forms import edit_case, open_case, party_in, party_values
from mediation.proceedings.routes import case_section as proceedings_section
from mediation.schemas import (
    PARTY_KINDS,
    PARTY_ROLES,
    CaseEdit,
    CaseFilter,
    CaseForm,
    CaseId,
    CaseRow,
    CaseSearch,
    CaseVersion,
    CategoryCreate,
    CategorySwitch,
    MediatorAssignForm,
    PartyEdit,
    PartyId,
    SettingsForm,
)
from mediation.status import FAILURE_REASONS, STATUSES
from programs import repo as programs_repo
from tenants import repo as tenants_repo
from tenants.services import area_tree
from wusong.core.clock import local_today
from wusong.core.tenancy import ADMIN, Role
from wusong.core.views import FormPage, View, ViewDep, list_page, with_neighbours
from wusong.core.web import Form, redirect
from wusong.core.web import access as route

LIST_SIZE = 20
# The sections the case page shows below the parties, in order: each loader returns its
# template's context, with the template's name under "template". A later domain adds its own
# with add_case_section() (reports: the case's documents); mediation never imports it.
SECTIONS: list[Callable[[View, CaseRow], Awaitable[dict[str, Any]]]] = [
    proceedings_section,
    court_section,
]


def add_case_section(loader: Callable[[View, CaseRow], Awaitable[dict[str, Any]]]) -> None:
    if loader not in SECTIONS:
        SECTIONS.append(loader)


async def _choices(view: View) -> dict[str, Any]:
    """What the intake and edit forms offer: categories, sources, villages, programs."""
    areas = await tenants_repo.all_areas(view.ctx)
    programs = [
        p
        for p in await programs_repo.list_program_rows(view.ctx)
        if p.kind in services.CASE_PROGRAM_KINDS and p.status == "active"
    ]
    categories = await services.categories(view.ctx)
    return {
        "categories": categories,
        "category_options": [(c.code, c.name) for c in categories],
        "program_options": [(p.id, p.name) for p in programs],
        "sources": SOURCES,
        "procedures": PROCEDURES,
        "party_kinds": PARTY_KINDS,
        "villages": village_choices(areas),
        "programs": programs,
    }


def village_choices(areas: list[Any]) -> list[tuple[UUID, str]]:
    """(id, "乡镇 · 村") of every active village, grouped by township."""
    return [(v.id, f"{t.name} · {v.name}") for t, villages in area_tree(areas) for v in villages]


async def _intake_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    return await _choices(view)


async def _case_of(view: View) -> CaseRow:
    case: CaseRow = await access.readable_case(view.ctx, view.request.path_params["case_id"])
    return case


async def _edit_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    return {**await _choices(view), "case": await _case_of(view)}


async def _current_case(view: View) -> dict[str, Any]:
    case = await _case_of(view)
    return {
        "category": case.category, "facts": case.facts, "claims": case.claims,
        "title": case.title, "village_id": str(case.area_id or ""),
        "program_id": str(case.program_id or ""), "version": case.version,
    }  # fmt: skip


async def _party_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context: dict[str, Any] = {
        "case": await _case_of(view),
        "party_roles": PARTY_ROLES,
        "party_kinds": PARTY_KINDS,
    }
    party_id = view.request.path_params.get("party_id")
    if party_id is not None:
        context["party"] = await repo.get_party(view.ctx, context["case"].id, party_id)
    return context


async def _current_party(view: View) -> dict[str, Any]:
    case = await _case_of(view)
    party = await repo.get_party(view.ctx, case.id, view.request.path_params["party_id"])
    return {**party_values(party), "id_number": "", "version": case.version}


async def _assign_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    mediators = await tenants_repo.list_members(view.ctx, role=Role.MEDIATOR.value, active=True)
    options = [(m.id, m.display_name or m.username) for m in mediators]
    return {"case": await _case_of(view), "mediator_options": options}


async def _settings_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    current = await services.settings(view.ctx)
    return {
        "settings": current,
        "categories": await services.categories(view.ctx, with_inactive=True),
        "labels": MediationConfig.labels,
        "current_values": _settings_values(current.config, current.version),
        "example_no": case_number(current.config, view.ctx.tenant_name,
                                           local_today().year, 1),
    }  # fmt: skip


def _back_to_case(view: View) -> str:
    return view.url(f"/cases/{view.request.path_params['case_id']}")


def _settings_values(config: MediationConfig, version: int) -> dict[str, Any]:
    return {
        "number_abbr": config.number_abbr, "number_word": config.number_word,
        "number_digits": config.number_digits, "usual_days": config.usual_days,
        "ordinary_days": config.ordinary_days, "simplified_days": config.simplified_days,
        "classic_days": config.classic_days, "extension_days": config.extension_days,
        "confirmation_days": config.confirmation_days, "version": version,
    }  # fmt: skip


async def _current_settings(view: View) -> dict[str, Any]:
    current = await services.settings(view.ctx)
    return _settings_values(current.config, current.version)


INTAKE_FORM = FormPage(CaseForm, "mediation/new.html", context=_intake_context)
EDIT_FORM = FormPage(CaseEdit, "mediation/edit.html", context=_edit_context, current=_current_case)
PARTY_FORM = FormPage(PartyEdit, "mediation/party.html", context=_party_context)
PARTY_EDIT_FORM = FormPage(
    PartyEdit, "mediation/party.html", context=_party_context, current=_current_party
)
PARTY_REMOVE = FormPage(CaseVersion, back=_back_to_case)
ASSIGN_FORM = FormPage(MediatorAssignForm, "mediation/assign.html", context=_assign_context)
SETTINGS_FORM = FormPage(
    SettingsForm, "mediation/settings.html", context=_settings_context,
    current=_current_settings,
)  # fmt: skip
CATEGORY_FORM = FormPage(CategoryCreate, "mediation/settings.html", context=_settings_context)
CATEGORY_SWITCH = FormPage(CategorySwitch, back=lambda view: view.url("/mediation/settings"))


def parse_filter(
    status: str, category: str, source: str, village: str, program: str, mine: str,
    overdue: str, accepted_from: str, accepted_to: str, case_no: str,
    closed_from: str = "", closed_to: str = "",
) -> CaseFilter:  # fmt: skip
    """The list's filters from the query; a value that cannot match shows an empty list."""

    def as_uuid(value: str) -> UUID | None:
        try:
            return UUID(value) if value else None
        except ValueError:
            return UUID(int=0)

    def as_day(value: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    return CaseFilter(
        status=status[:20], category=category[:40], source=source[:20],
        village_id=as_uuid(village), program_id=as_uuid(program), mine=mine == "1",
        overdue=overdue == "1", accepted_from=as_day(accepted_from),
        accepted_to=as_day(accepted_to), case_no=case_no.strip()[:40],
        closed_from=as_day(closed_from), closed_to=as_day(closed_to),
    )  # fmt: skip


async def _list_context(view: View) -> dict[str, Any]:
    areas = await tenants_repo.all_areas(view.ctx)
    mediators = await tenants_repo.list_members(view.ctx, role=Role.MEDIATOR.value)
    programs = await programs_repo.list_program_rows(view.ctx)
    return {
        "statuses": STATUSES,
        "sources": SOURCES,
        "category_names": await services.category_names(view.ctx),
        "categories": await services.categories(view.ctx),
        "villages": village_choices(areas),
        "area_names": {a.id: a.name for a in areas},
        "mediator_names": {m.id: m.display_name or m.username for m in mediators},
        "programs": [p for p in programs if p.kind in services.CASE_PROGRAM_KINDS],
        "today": local_today(),
    }


async def _search_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    return {"cases": [], "total": 0, "pager": None, "filters": {}, **await _list_context(view)}


SEARCH_FORM = FormPage(CaseSearch, "mediation/list.html", context=_search_context)


async def case_page_context(view: View, case: CaseRow) -> dict[str, Any]:
    """Everything the case page shows of the core: parties, names, deadline, timeline."""
    areas = {a.id: a for a in await tenants_repo.all_areas(view.ctx)}
    area = areas.get(case.area_id) if case.area_id else None
    township = areas.get(area.parent_id) if area and area.parent_id else None
    mediator = None
    if case.mediator_id is not None:
        mediator = await tenants_repo.get_member(view.ctx, case.mediator_id)
    program = (
        await programs_repo.get_program(view.ctx, case.program_id) if case.program_id else None
    )
    return {
        "case": case,
        "parties": await repo.list_parties(view.ctx, case.id),
        "party_roles": PARTY_ROLES,
        "party_kinds": PARTY_KINDS,
        "statuses": STATUSES,
        "sources": SOURCES,
        "procedures": PROCEDURES,
        "failure_reasons": FAILURE_REASONS,
        "category_name": (await services.category_names(view.ctx)).get(
            case.category, case.category
        ),
        "place": " · ".join(a.name for a in (township, area) if a),
        "program": program,
        "mediator": mediator,
        "days_left": days_left(case.due_on, local_today()) if case.due_on else None,
        "sections": [await load(view, case) for load in SECTIONS],
        "timeline": await services.timeline(view.ctx, case.id),
        "can_write": await _can_write(view, case),
    }


async def _can_write(view: View, case: CaseRow) -> bool:
    return view.ctx.role is Role.MEDIATOR and await access.mediator_covers(view.ctx, case)


class CasePages(Controller):
    path = "/cases"

    @get("/", name="cases.list", opt=route(READERS))
    async def list_cases(
        self,
        view: ViewDep,
        status: FromQuery[str] = "",
        category: FromQuery[str] = "",
        source: FromQuery[str] = "",
        village_id: FromQuery[str] = "",
        program_id: FromQuery[str] = "",
        mine: FromQuery[str] = "",
        overdue: FromQuery[str] = "",
        accepted_from: FromQuery[str] = "",
        accepted_to: FromQuery[str] = "",
        case_no: FromQuery[str] = "",
        closed_from: FromQuery[str] = "",
        closed_to: FromQuery[str] = "",
        page: FromQuery[str] = "",
    ) -> Template:
        """Cases the member may read, newest first, 20 a page, with the filters in the URL
        (nothing personal: a party search is a POST)."""
        f = parse_filter(status, category, source, village_id, program_id, mine, overdue,
                         accepted_from, accepted_to, case_no, closed_from, closed_to)  # fmt: skip
        at = list_page(page, LIST_SIZE)
        rows, more, total = await services.list_cases(
            view.ctx, f, limit=LIST_SIZE, offset=at.offset
        )
        return await view.render(
            "mediation/list.html",
            cases=rows,
            total=total,
            pager=with_neighbours(view, at, more),
            filters=dict(view.request.query_params),
            form={},
            errors={},
            **await _list_context(view),
        )

    @post("/search", name="cases.search", opt=route(READERS, form=SEARCH_FORM))
    async def search(self, view: ViewDep, data: Form) -> Template:
        """Cases of a party, by name (its beginning) or by ID number, from a POST body."""
        rows, _, total = await view.submit({"limit": str(LIST_SIZE), **data}, services.search_cases)
        return await view.render(
            "mediation/list.html", cases=rows, total=total, pager=None, filters={},
            form=view.form_page().echo(data), errors={}, searched=True,
            **await _list_context(view),
        )  # fmt: skip

    @get("/new", name="cases.new", opt=route(MEDIATORS, form=INTAKE_FORM))
    async def new_case(self, view: ViewDep) -> Template:
        return await view.show_form(
            {"accepted_on": local_today().isoformat(), "applicant_kind": "person",
             "respondent_kind": "person", "procedure": "classic"}
        )  # fmt: skip

    @post("/new", name="cases.create", opt=route(MEDIATORS, writes=True, form=INTAKE_FORM))
    async def create_case(self, view: ViewDep, data: Form) -> Redirect:
        case = await view.submit(data, open_case)
        return redirect(view.url(f"/cases/{case.id}"), f"已登记案件 {case.case_no}")

    @get("/{case_id:uuid}", name="cases.show", opt=route(READERS))
    async def show(self, view: ViewDep, case_id: FromPath[CaseId]) -> Template:
        case = await access.readable_case(view.ctx, case_id)
        return await view.render("mediation/case.html", **await case_page_context(view, case))

    @get("/{case_id:uuid}/edit", name="cases.edit", opt=route(MEDIATORS, form=EDIT_FORM))
    async def edit(self, view: ViewDep, case_id: FromPath[CaseId]) -> Template:
        await access.writable_case(view.ctx, case_id)
        return await view.show_form(await _current_case(view))

    @post(
        "/{case_id:uuid}/edit",
        name="cases.update",
        opt=route(MEDIATORS, writes=True, form=EDIT_FORM),
    )
    async def update(self, view: ViewDep, case_id: FromPath[CaseId], data: Form) -> Redirect:
        await view.submit(data, edit_case, case_id)
        return redirect(view.url(f"/cases/{case_id}"), "已保存案件信息")

    # ---- parties -------------------------------------------------------------------------

    @get(
        "/{case_id:uuid}/parties/new", name="cases.party_new", opt=route(MEDIATORS, form=PARTY_FORM)
    )
    async def new_party(self, view: ViewDep, case_id: FromPath[CaseId]) -> Template:
        case = await access.writable_case(view.ctx, case_id)
        return await view.show_form({"role": "third_party", "kind": "person",
                                     "version": case.version})  # fmt: skip

    @post(
        "/{case_id:uuid}/parties/new",
        name="cases.party_add",
        opt=route(MEDIATORS, writes=True, form=PARTY_FORM),
    )
    async def add_party(self, view: ViewDep, case_id: FromPath[CaseId], data: Form) -> Redirect:
        async def use_case(ctx: Any, form: PartyEdit) -> Any:
            return await services.add_party(ctx, case_id, party_in(form), form.version)

        party = await view.submit(data, use_case)
        return redirect(view.url(f"/cases/{case_id}"), f"已添加当事人 {party.name}")

    @get(
        "/{case_id:uuid}/parties/{party_id:uuid}/edit",
        name="cases.party_edit",
        opt=route(MEDIATORS, form=PARTY_EDIT_FORM),
    )
    async def edit_party(
        self, view: ViewDep, case_id: FromPath[CaseId], party_id: FromPath[PartyId]
    ) -> Template:
        await access.writable_case(view.ctx, case_id)
        return await view.show_form(await _current_party(view))

    @post(
        "/{case_id:uuid}/parties/{party_id:uuid}/edit",
        name="cases.party_update",
        opt=route(MEDIATORS, writes=True, form=PARTY_EDIT_FORM),
    )
    async def update_party(
        self, view: ViewDep, case_id: FromPath[CaseId], party_id: FromPath[PartyId], data: Form
    ) -> Redirect:
        async def use_case(ctx: Any, form: PartyEdit) -> Any:
            return await services.update_party(ctx, case_id, party_id, party_in(form), form.version)

        party = await view.submit(data, use_case)
        return redirect(view.url(f"/cases/{case_id}"), f"已保存当事人 {party.name}")

    @post(
        "/{case_id:uuid}/parties/{party_id:uuid}/remove",
        name="cases.party_remove",
        opt=route(MEDIATORS, writes=True, form=PARTY_REMOVE),
    )
    async def remove_party(
        self, view: ViewDep, case_id: FromPath[CaseId], party_id: FromPath[PartyId], data: Form
    ) -> Redirect:
        async def use_case(ctx: Any, form: CaseVersion) -> None:
            await services.remove_party(ctx, case_id, party_id, form.version)

        await view.submit(data, use_case)
        return redirect(view.url(f"/cases/{case_id}"), "已移除当事人")

    # ---- assignment ----------------------------------------------------------------------

    @get("/{case_id:uuid}/assign", name="cases.assign_form", opt=route(ADMIN, form=ASSIGN_FORM))
    async def assign_form(self, view: ViewDep, case_id: FromPath[CaseId]) -> Template:
        case = await repo.get_case(view.ctx, case_id)
        return await view.show_form(
            {"mediator_id": str(case.mediator_id or ""), "version": case.version}
        )

    @post(
        "/{case_id:uuid}/assign",
        name="cases.assign",
        opt=route(ADMIN, writes=True, form=ASSIGN_FORM),
    )
    async def assign(self, view: ViewDep, case_id: FromPath[CaseId], data: Form) -> Redirect:
        await view.submit(data, forms.assign, case_id)
        return redirect(view.url(f"/cases/{case_id}"), "已指派承办调解员")


class MediationSettingsPages(Controller):
    path = "/mediation"

    @get("/settings", name="mediation.settings", opt=route(ADMIN, form=SETTINGS_FORM))
    async def settings(self, view: ViewDep) -> Template:
        return await view.show_form(await _current_settings(view))

    @post(
        "/settings",
        name="mediation.settings.save",
        opt=route(ADMIN, writes=True, form=SETTINGS_FORM),
    )
    async def save(self, view: ViewDep, data: Form) -> Redirect:
        await view.submit(data, forms.save_settings)
        return redirect(view.url("/mediation/settings"), "已保存调解设置")

    @post(
        "/categories",
        name="mediation.categories.add",
        opt=route(ADMIN, writes=True, form=CATEGORY_FORM),
    )
    async def add_category(self, view: ViewDep, data: Form) -> Redirect:
        category = await view.submit(data, services.add_category)
        return redirect(view.url("/mediation/settings"), f"已添加类别“{category.name}”")

    @post(
        "/categories/active",
        name="mediation.categories.active",
        opt=route(ADMIN, writes=True, form=CATEGORY_SWITCH),
    )
    async def switch_category(self, view: ViewDep, data: Form) -> Redirect:
        """Switch a category on or off for new cases (the code travels in the form)."""
        row = await view.submit(data, services.switch_category)
        return redirect(
            view.url("/mediation/settings"),
            f"已{'启用' if row.active else '停用'}类别“{row.name}”",
        )
