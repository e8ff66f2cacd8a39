"""Case JSON API under /api/v1/t/{tenant}: cases (list, search, create, read, update with
If-Match), parties, assignment, the timeline, and the tenant's mediation settings and categories.

The proceedings and the court add their operations under /cases/{case_id}/… in their
sub-packages."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, FromQuery

from mediation import access, repo, services
from mediation.access import MEDIATORS, READERS
from mediation.schemas import (
    CaseCreate,
    CaseFilter,
    CaseId,
    CaseListRow,
    CaseRow,
    CaseSearch,
    CaseUpdate,
    CategoryCreate,
    CategoryRow,
    CategorySwitch,
    MediatorAssign,
    PartyId,
    PartyIn,
    PartyRow,
    SettingsOut,
    SettingsSave,
)
from tenants.schemas import AuditEventRow
from wusong.core.api import IfMatch, Limit, Offset, Page, etag, expected_version
from wusong.core.errors import Invalid
from wusong.core.tenancy import ADMIN
from wusong.core.web import Ctx
from wusong.core.web import access as route

_PARTIES = [
    {"role": "applicant", "name": "张三", "id_number": "11010519491231002X",
     "mobile": "+86 138-0013-8000", "address": "梨树县郭家店镇某村"},
    {"role": "respondent", "name": "李四", "mobile": "13900139000"},
]  # fmt: skip
CASE_EXAMPLE = Example(
    summary="村民之间的宅基地边界纠纷（当事人申请）",
    value={
        "category": "housing_land",
        "source": "application",
        "facts": "双方因宅基地边界石桩位置发生争执。",
        "claims": "申请人请求确认边界并恢复原状。",
        "village_id": "3f1c2a9e-8d4b-4c55-9e61-1a2b3c4d5e6f",
        "parties": _PARTIES,
    },
)
COURT_CASE_EXAMPLE = Example(
    summary="法院委派的诉前调解案件",
    value={
        "category": "contract",
        "source": "court",
        "facts": "买卖合同货款纠纷，法院立案前委派调解。",
        "parties": _PARTIES,
        "referral": {
            "referring_court": "梨树县人民法院",
            "court_ref_no": "（2026）吉0322民诉前123号",
            "referral_date": "2026-11-20",
            "procedure": "classic",
        },
    },
)
NewCase = Annotated[CaseCreate, Body(examples=[CASE_EXAMPLE, COURT_CASE_EXAMPLE])]
CaseChanges = Annotated[
    CaseUpdate,
    Body(examples=[Example(summary="更正纠纷事实和类别", value={
        "category": "neighbour", "facts": "双方因排水沟走向发生争执。", "claims": "",
    })]),
]  # fmt: skip
NewParty = Annotated[
    PartyIn,
    Body(examples=[Example(summary="追加第三人（委托代理人）", value={
        "role": "third_party", "name": "王五", "id_number": "11010519491231002X",
        "mobile": "13700137000", "agent_name": "赵律师", "agent_mobile": "13600136000",
    })]),
]  # fmt: skip
Search = Annotated[
    CaseSearch,
    Body(examples=[
        Example(summary="按当事人姓名（开头）查找", value={"party_name": "张"}),
        Example(summary="按身份证号码查找", value={"id_number": "11010519491231002X"}),
    ]),
]  # fmt: skip
Assignment = Annotated[
    MediatorAssign,
    Body(examples=[Example(summary="指派承办调解员", value={
        "mediator_id": "6b0f5a3e-2c1d-4e8f-9a7b-5c4d3e2f1a0b"})]),
]  # fmt: skip
NewSettings = Annotated[
    SettingsSave,
    Body(examples=[Example(summary="案号格式与调解期限", value={"config": {
        "number_abbr": "梨", "number_word": "调字", "number_digits": 4, "usual_days": 30,
        "ordinary_days": 15, "simplified_days": 7, "classic_days": 30, "extension_days": 30,
        "confirmation_days": 30, "hidden_categories": ["environment"]}})]),
]  # fmt: skip
Switch = Annotated[
    CategorySwitch,
    Body(examples=[Example(summary="停用标准类别“环境污染”", value={
        "code": "environment", "active": False})]),
]  # fmt: skip
NewCategory = Annotated[
    CategoryCreate,
    Body(examples=[Example(summary="本县新增类别（不可申请司法确认）", value={
        "name": "收养", "confirmable": False})]),
]  # fmt: skip


def _case(case: CaseRow, status_code: int = 200) -> Response[CaseRow]:
    return Response(case, status_code=status_code, headers={"ETag": etag(case.version)})


class CaseApi(Controller):
    path = "/cases"
    tags = ["mediation"]

    @get("/", name="api.cases.list", opt=route(READERS))
    async def list_cases(
        self,
        ctx: Ctx,
        status: FromQuery[str] = "",
        category: FromQuery[str] = "",
        source: FromQuery[str] = "",
        village_id: FromQuery[UUID | None] = None,
        program_id: FromQuery[UUID | None] = None,
        mine: FromQuery[bool] = False,
        overdue: FromQuery[bool] = False,
        accepted_from: FromQuery[str] = "",
        accepted_to: FromQuery[str] = "",
        case_no: FromQuery[str] = "",
        closed_from: FromQuery[str] = "",
        closed_to: FromQuery[str] = "",
        offset: Offset = 0,
        limit: Limit = 20,
        count: FromQuery[bool] = False,
    ) -> Page[CaseListRow]:
        """Cases the caller may read, newest first (``count=true`` adds the total: it costs a
        count of every match). Filters: status, category (code), source,
        village_id, program_id, mine (assigned to me), overdue (open past the deadline),
        accepted_from/accepted_to and closed_from/closed_to (YYYY-MM-DD, inclusive), case_no (a
        number or its digits); status ``agreed`` is settled and partly settled. A search by
        party name or ID number is `POST /cases/search` (personal data stays out of URLs)."""
        f = CaseFilter(
            status=status, category=category, source=source, village_id=village_id,
            program_id=program_id, mine=mine, overdue=overdue,
            accepted_from=_day("accepted_from", accepted_from),
            accepted_to=_day("accepted_to", accepted_to), case_no=case_no[:40],
            closed_from=_day("closed_from", closed_from), closed_to=_day("closed_to", closed_to),
        )  # fmt: skip
        rows, more, total = await services.list_cases(
            ctx, f, limit=limit, offset=offset, with_total=count
        )
        return Page(rows, offset, limit, more, total)

    @post("/search", name="api.cases.search", opt=route(READERS), status_code=200)
    async def search(self, ctx: Ctx, data: Search) -> Page[CaseListRow]:
        """Cases of a party: by the beginning of the name, or by the full ID number."""
        rows, more, total = await services.search_cases(ctx, data)
        return Page(rows, data.offset, data.limit, more, total)

    @post("/", name="api.cases.create", opt=route(MEDIATORS, writes=True), status_code=201)
    async def create(self, ctx: Ctx, data: NewCase) -> Response[CaseRow]:
        """Open a case: its number (e.g. （2026）梨调字第0001号) is allocated without gaps per
        county and year; a court-referred case gets its deadline from the county's periods."""
        return _case(await services.create_case(ctx, data), 201)

    @get("/{case_id:uuid}", name="api.cases.show", opt=route(READERS))
    async def show(self, ctx: Ctx, case_id: FromPath[CaseId]) -> Response[CaseRow]:
        """The case; its ETag is the version to send back in If-Match."""
        return _case(await access.readable_case(ctx, case_id))

    @put("/{case_id:uuid}", name="api.cases.update", opt=route(MEDIATORS, writes=True))
    async def update(
        self, ctx: Ctx, case_id: FromPath[CaseId], data: CaseChanges, if_match: IfMatch = None
    ) -> Response[CaseRow]:
        """Correct an open case (If-Match: 412 when someone changed it, 428 when missing)."""
        if not if_match:
            await access.writable_case(ctx, case_id)
        case = await services.update_case(ctx, case_id, data, expected_version(if_match))
        return _case(case)

    @put("/{case_id:uuid}/mediator", name="api.cases.assign", opt=route(ADMIN, writes=True))
    async def assign(
        self, ctx: Ctx, case_id: FromPath[CaseId], data: Assignment, if_match: IfMatch = None
    ) -> Response[CaseRow]:
        """Assign the case to a mediator (null clears it); If-Match is the case's version."""
        if not if_match:
            await repo.get_case(ctx, case_id)
        version = expected_version(if_match)
        return _case(await services.assign_mediator(ctx, case_id, data.mediator_id, version))

    @get("/{case_id:uuid}/timeline", name="api.cases.timeline", opt=route(READERS))
    async def timeline(self, ctx: Ctx, case_id: FromPath[CaseId]) -> list[AuditEventRow]:
        """Every change of the case, newest first: who, when, what (personal data masked)."""
        await access.readable_case(ctx, case_id)
        return await services.timeline(ctx, case_id)

    # ---- parties -------------------------------------------------------------------------

    @get("/{case_id:uuid}/parties", name="api.cases.parties", opt=route(READERS))
    async def parties(self, ctx: Ctx, case_id: FromPath[CaseId]) -> list[PartyRow]:
        """The parties, ID numbers masked (a court reviewer reveals one with its own call)."""
        await access.readable_case(ctx, case_id)
        return await repo.list_parties(ctx, case_id)

    @post(
        "/{case_id:uuid}/parties",
        name="api.cases.parties.add",
        opt=route(MEDIATORS, writes=True),
        status_code=201,
    )
    async def add_party(
        self, ctx: Ctx, case_id: FromPath[CaseId], data: NewParty, if_match: IfMatch = None
    ) -> Response[PartyRow]:
        """Add a party to an open case (If-Match: the case's version; the case's version moves)."""
        if not if_match:
            await access.writable_case(ctx, case_id)
        party = await services.add_party(ctx, case_id, data, expected_version(if_match))
        return Response(party, status_code=201)

    @put(
        "/{case_id:uuid}/parties/{party_id:uuid}",
        name="api.cases.parties.update",
        opt=route(MEDIATORS, writes=True),
    )
    async def update_party(
        self,
        ctx: Ctx,
        case_id: FromPath[CaseId],
        party_id: FromPath[PartyId],
        data: NewParty,
        if_match: IfMatch = None,
    ) -> PartyRow:
        """Correct a party (an empty id_number keeps the stored one); If-Match: the case's."""
        if not if_match:
            await access.writable_case(ctx, case_id)
        version = expected_version(if_match)
        return await services.update_party(ctx, case_id, party_id, data, version)

    @delete(
        "/{case_id:uuid}/parties/{party_id:uuid}",
        name="api.cases.parties.remove",
        opt=route(MEDIATORS, writes=True),
        status_code=204,
    )
    async def remove_party(
        self,
        ctx: Ctx,
        case_id: FromPath[CaseId],
        party_id: FromPath[PartyId],
        if_match: IfMatch = None,
    ) -> None:
        if not if_match:
            await access.writable_case(ctx, case_id)
        await services.remove_party(ctx, case_id, party_id, expected_version(if_match))


def _day(name: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid({name: "日期格式应为 YYYY-MM-DD"}) from None


class MediationSettingsApi(Controller):
    path = "/mediation"
    tags = ["mediation"]

    @get("/settings", name="api.mediation.settings", opt=route(ADMIN))
    async def settings(self, ctx: Ctx) -> Response[SettingsOut]:
        """Case-number format and periods (the defaults until first saved: version 0)."""
        current = await services.settings(ctx)
        return Response(current, headers={"ETag": etag(current.version)})

    @put("/settings", name="api.mediation.settings.save", opt=route(ADMIN, writes=True))
    async def save(
        self, ctx: Ctx, data: NewSettings, if_match: IfMatch = None
    ) -> Response[SettingsOut]:
        saved = await services.save_settings(ctx, data.config, expected_version(if_match))
        return Response(saved, headers={"ETag": etag(saved.version)})

    @get("/categories", name="api.mediation.categories", opt=route(READERS))
    async def categories(self, ctx: Ctx, all: FromQuery[bool] = False) -> list[CategoryRow]:
        """The county's dispute categories: the standard list and its own (``all``: with the
        inactive ones). A category's ``code`` is what a case's ``category`` holds."""
        return await services.categories(ctx, with_inactive=all)

    @post(
        "/categories",
        name="api.mediation.categories.add",
        opt=route(ADMIN, writes=True),
        status_code=201,
    )
    async def add_category(self, ctx: Ctx, data: NewCategory) -> CategoryRow:
        return await services.add_category(ctx, data)

    @put(
        "/categories/active",
        name="api.mediation.categories.switch",
        opt=route(ADMIN, writes=True),
    )
    async def switch_category(self, ctx: Ctx, data: Switch) -> CategoryRow:
        """Switch a category on or off for new cases (cases keep theirs); ``code`` is a
        standard code or the id of one of the county's own categories."""
        return await services.switch_category(ctx, data)
