"""Use cases of the case core: intake (with its number), corrections, parties, assignment,
the lists and searches, the timeline, and the tenant's categories and settings.

They run inside their caller's unit of work and never open a transaction of their own. Every
write records one audit event on the case (object ``case``), which is the case's timeline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from mediation import access, identity, repo
from mediation.categories import SOURCES, STANDARD_CATEGORIES, STANDARD_CODES, Category
from mediation.config import PROCEDURE_DAYS, PROCEDURES, MediationConfig, case_number, check_config
from mediation.deadlines import period_end
from mediation.proceedings import repo as proceedings_repo
from mediation.rules import check_day, check_id_number, check_mobile, clean_long_text
from mediation.schemas import (
    PARTY_KINDS,
    PARTY_ROLES,
    CaseCreate,
    CaseFilter,
    CaseListRow,
    CaseRow,
    CaseSearch,
    CaseUpdate,
    CategoryCreate,
    CategoryRow,
    CategorySwitch,
    PartyIn,
    PartyRow,
    Referral,
    SettingsOut,
)
from mediation.status import OPEN, require_status
from programs import repo as programs_repo
from programs.kinds import ProgramKind
from tenants import audit
from tenants import repo as tenants_repo
from tenants.rules import clean_text
from tenants.services import work_scope
from wusong.core.clock import local_today
from wusong.core.errors import (
    Conflict,
    FieldErrors,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
)
from wusong.core.tenancy import Role, TenantContext

MAX_PARTIES = 20
NOT_OWNED = "{}无效或不属于本区县"  # as wusong.core.scoped.require_owned words it
# Program types whose work includes mediating cases.
CASE_PROGRAM_KINDS = frozenset(
    {
        ProgramKind.MEDIATION_STUDIO.value,
        ProgramKind.SHARED_COURT.value,
        ProgramKind.HELP_TEAM.value,
        ProgramKind.NO_LITIGATION_VILLAGE.value,
    }
)


# ---- settings and categories -----------------------------------------------------------------


async def settings(ctx: TenantContext) -> SettingsOut:
    """The tenant's settings (the defaults until an administrator first saves)."""
    row = await repo.settings_row(ctx)
    if row is None:
        return SettingsOut(MediationConfig(), 0)
    config = msgspec.convert(row["config"], MediationConfig, strict=False)
    return SettingsOut(config, int(row["version"]))


async def save_settings(
    ctx: TenantContext, config: MediationConfig, expected_version: int, *, prefix: str = "config."
) -> SettingsOut:
    """Save the settings if still at ``expected_version``; errors name ``<prefix><field>``."""
    errors = FieldErrors()
    config = check_config(config, errors)
    unknown = [code for code in config.hidden_categories if code not in STANDARD_CODES]
    if unknown:
        errors.add("hidden_categories", "停用的标准类别不存在")
    if "other" in config.hidden_categories:
        errors.add("hidden_categories", "“其他”类别不能停用")
    if errors.errors:
        raise Invalid({prefix + field: message for field, message in errors.errors.items()})
    before = await settings(ctx)
    if before.version != expected_version:
        raise PreconditionFailed
    data = msgspec.to_builtins(config)
    if not await repo.save_settings(ctx, data, expected_version):
        raise PreconditionFailed
    old = msgspec.to_builtins(before.config)
    keys = [k for k, v in data.items() if old.get(k) != v]
    changed = {"before": {k: old.get(k) for k in keys}, "after": {k: data[k] for k in keys}}
    await audit.record(ctx, "mediation.settings", "mediation_settings", ctx.tenant_id, changed)
    return SettingsOut(config, expected_version + 1)


async def categories(
    ctx: TenantContext, *, with_inactive: bool = False, config: MediationConfig | None = None
) -> list[CategoryRow]:
    """The standard categories (minus the hidden ones) and the tenant's own. ``config``: the
    settings when the caller has read them already."""
    if config is None:
        config = (await settings(ctx)).config
    hidden = set(config.hidden_categories)
    rows = [
        CategoryRow(c.code, c.name, c.confirmable, True, c.code not in hidden)
        for c in STANDARD_CATEGORIES
    ]
    for own in await repo.own_categories(ctx):
        rows.append(
            CategoryRow(str(own["id"]), own["name"], own["confirmable"], False, own["active"])
        )
    return rows if with_inactive else [r for r in rows if r.active]


async def category(ctx: TenantContext, code: str) -> Category | None:
    """The category of a code (active or not), None when the tenant has none such."""
    for row in await categories(ctx, with_inactive=True):
        if row.code == code:
            return Category(row.code, row.name, row.confirmable, row.standard, row.active)
    return None


async def category_names(ctx: TenantContext) -> dict[str, str]:
    return {row.code: row.name for row in await categories(ctx, with_inactive=True)}


async def add_category(ctx: TenantContext, data: CategoryCreate) -> CategoryRow:
    errors = FieldErrors()
    name = clean_text(errors, "name", "类别名称", data.name, 20)
    errors.raise_if_any()
    if any(row.name == name for row in await categories(ctx, with_inactive=True)):
        raise Invalid({"name": f"已有名为“{name}”的类别"})
    category_id = await repo.insert_category(ctx, {"name": name, "confirmable": data.confirmable})
    await audit.record(
        ctx, "mediation.category_add", "case_category", category_id,
        {"name": name, "confirmable": data.confirmable},
    )  # fmt: skip
    return CategoryRow(str(category_id), name, data.confirmable, False, True)


async def switch_category(ctx: TenantContext, data: CategorySwitch) -> CategoryRow:
    """Hide or show a category for new cases (cases keep theirs)."""
    code, active = data.code, data.active
    found = await category(ctx, code)
    if found is None:
        raise NotFound("未找到该类别")
    if found.standard:
        current = await settings(ctx)
        hidden = [c for c in current.config.hidden_categories if c != code]
        if not active:
            hidden.append(code)
        config = msgspec.structs.replace(current.config, hidden_categories=hidden)
        await save_settings(ctx, config, current.version, prefix="")
    else:
        await repo.set_category_active(ctx, UUID(found.code), active)
        await audit.record(
            ctx, "mediation.category_active", "case_category", code,
            {"name": found.name, "active": active},
        )  # fmt: skip
    return CategoryRow(found.code, found.name, found.confirmable, found.standard, active)


# ---- intake ----------------------------------------------------------------------------------


def _check_party(
    errors: FieldErrors, prefix: str, party: PartyIn, tenant_id: UUID
) -> dict[str, Any]:
    """The party's stored columns (ID number encrypted, hashed and masked)."""
    if party.role not in PARTY_ROLES:
        errors.add(f"{prefix}role", "当事人身份无效")
    if party.kind not in PARTY_KINDS:
        errors.add(f"{prefix}kind", "当事人类型无效")
    name = clean_text(errors, f"{prefix}name", "姓名或名称", party.name, 100)
    if party.kind == "person" and len(name) > 40:
        errors.add(f"{prefix}name", "姓名不能超过 40 个字")
    id_number = ""
    if party.kind == "person":
        id_number = check_id_number(errors, f"{prefix}id_number", party.id_number)
    elif party.id_number.strip():
        errors.add(f"{prefix}id_number", "法人或其他组织不填写身份证号码")
    values: dict[str, Any] = {
        "role": party.role,
        "kind": party.kind,
        "name": name,
        "mobile": check_mobile(errors, f"{prefix}mobile", "手机号码", party.mobile),
        "address": clean_text(
            errors, f"{prefix}address", "住址", party.address, 200, required=False
        ),
        "agent_name": clean_text(
            errors, f"{prefix}agent_name", "代理人", party.agent_name, 40, required=False
        ),
        "agent_mobile": check_mobile(
            errors, f"{prefix}agent_mobile", "代理人手机号码", party.agent_mobile
        ),
    }
    if id_number:
        values["id_cipher"] = identity.encrypt_id_number(tenant_id, id_number)
        values["id_hash"] = identity.id_number_hash(tenant_id, id_number)
        values["id_masked"] = identity.mask_id_number(id_number)
    return values


def _shown_name(party: dict[str, Any]) -> str:
    """A party's name as the audit log keeps it: a person's masked, an organisation's whole."""
    return party["name"] if party["kind"] == "organisation" else identity.mask_name(party["name"])


def _party_names(parties: list[dict[str, Any]]) -> str:
    return " ".join(p["name"] for p in parties)[:400]


async def _check_place(
    ctx: TenantContext,
    errors: FieldErrors,
    village_id: UUID | None,
    program_id: UUID | None,
) -> None:
    """The village and program are this tenant's (else a 422 naming the field, the same for
    another county's id as for one that does not exist) and fit a case. One read each: the
    row is the proof of ownership (the repos read only the tenant's rows)."""
    if village_id is not None:
        try:
            area = await tenants_repo.get_area(ctx, village_id)
        except NotFound:
            errors.add("village_id", NOT_OWNED.format("村（社区）"))
        else:
            if area.kind != "village":
                errors.add("village_id", "请选择村（社区），而不是乡镇（街道）")
    if program_id is not None:
        try:
            program = await programs_repo.get_program(ctx, program_id)
        except NotFound:
            errors.add("program_id", NOT_OWNED.format("所属项目"))
            return
        if program.kind not in CASE_PROGRAM_KINDS:
            errors.add("program_id", "该类型的项目不受理纠纷案件")
        elif program.status == "draft":
            errors.add("program_id", "项目尚未启动，不能受理案件")


async def _check_category(ctx: TenantContext, errors: FieldErrors, code: str) -> None:
    _check_category_in(errors, code, await categories(ctx, with_inactive=True) if code else [])


def _check_category_in(errors: FieldErrors, code: str, known: list[CategoryRow]) -> None:
    found = next((row for row in known if row.code == code), None) if code else None
    if found is None:
        errors.add("category", "请选择纠纷类别" if not code else "纠纷类别不存在")
    elif not found.active:
        errors.add("category", f"纠纷类别“{found.name}”已停用")


def _check_referral(
    errors: FieldErrors, referral: Referral | None, source: str, today: date
) -> dict[str, Any]:
    if source != "court":
        if referral is not None and referral.referring_court.strip():
            errors.add("referral", "只有法院委派的案件填写委派信息")
        return {}
    if referral is None:
        errors.add("referral.referring_court", "法院委派的案件须填写委派法院")
        return {}
    values = {
        "referring_court": clean_text(
            errors, "referral.referring_court", "委派法院", referral.referring_court, 60
        ),
        "court_ref_no": clean_text(
            errors, "referral.court_ref_no", "法院案号", referral.court_ref_no, 60, required=False
        ),
        "referral_date": referral.referral_date or today,
        "procedure": referral.procedure,
    }
    check_day(errors, "referral.referral_date", "委派日期", referral.referral_date, today=today)
    if referral.procedure not in PROCEDURES:
        errors.add("referral.procedure", "委派类型无效")
    return values


async def create_case(ctx: TenantContext, data: CaseCreate) -> CaseRow:
    """Open a case: checked, numbered (gap-free per tenant and year) and audited."""
    errors = FieldErrors()
    today = local_today()
    # the settings and the categories once, and before the number (see below)
    config = (await settings(ctx)).config
    known = await categories(ctx, with_inactive=True, config=config)
    _check_category_in(errors, data.category, known)
    category_name = next((row.name for row in known if row.code == data.category), data.category)
    if data.source not in SOURCES:
        errors.add("source", "案件来源无效")
    facts = clean_long_text(errors, "facts", "纠纷事实", data.facts, 5000, required=True)
    claims = clean_long_text(errors, "claims", "当事人请求", data.claims, 5000)
    title = clean_text(errors, "title", "案由", data.title, 80, required=False)
    accepted_on = check_day(errors, "accepted_on", "受理日期", data.accepted_on, today=today)
    accepted_on = accepted_on or today
    await _check_place(ctx, errors, data.village_id, data.program_id)
    mediator = None
    if data.mediator_id is not None:
        mediator = await _check_mediator(ctx, errors, data.mediator_id)
    elif ctx.role is Role.MEDIATOR:
        mediator = await access.my_membership(ctx)
    referral = _check_referral(errors, data.referral, data.source, today)
    if len(data.parties) > MAX_PARTIES:
        errors.add("parties", f"当事人不能超过 {MAX_PARTIES} 个")
    parties = [
        _check_party(errors, f"parties[{i}].", p, ctx.tenant_id)
        for i, p in enumerate(data.parties[:MAX_PARTIES])
    ]
    roles = {p.role for p in data.parties}
    if "applicant" not in roles:
        errors.add("parties", "至少须有一名申请人")
    elif "respondent" not in roles:
        errors.add("parties", "至少须有一名被申请人")
    errors.raise_if_any()
    if ctx.role is Role.MEDIATOR:
        await _require_may_open(ctx, data.village_id, data.program_id)
    due = _due_on(config, data.source, accepted_on, referral)
    # The number and the audit chain last: both stay taken until the case's transaction ends,
    # so what follows is one computation and one statement (the case, its parties, its event).
    year = accepted_on.year
    seq, head = await repo.take_case_number(ctx, year)
    case_no = case_number(config, ctx.tenant_name, year, seq)
    now = datetime.now(UTC)
    case_id = uuid4()
    values = {
        "case_no": case_no,
        "case_year": year,
        "case_seq": seq,
        "category": data.category,
        "source": data.source,
        "area": data.village_id,
        "program": data.program_id,
        "mediator": mediator,
        "title": title,
        "facts": facts,
        "claims": claims,
        "party_names": _party_names(parties),
        "accepted_on": accepted_on,
        "due_on": due,
        "created_by": ctx.user_id,
        "created_by_name": ctx.actor_name,
        "created_at": now,
        "updated_at": now,
        **referral,
    }
    event = audit.chained_event(
        ctx,
        head,
        "case.create",
        "case",
        case_id,
        {
            "case_no": case_no,
            "category": category_name,
            "source": SOURCES[data.source],
            "parties": [_shown_name(p) for p in parties],
            "due_on": due,
        },
    )
    await repo.insert_new_case(
        ctx,
        {"id": case_id, **values},
        [{**party, "case": case_id, "position": i} for i, party in enumerate(parties)],
        event,
    )
    return repo.inserted_case(case_id, values)


async def _require_may_open(
    ctx: TenantContext, village_id: UUID | None, program_id: UUID | None
) -> None:
    """A mediator opens cases for the programs they staff, or in the villages they work in."""
    if program_id is not None:
        if not await programs_repo.staffs_program(ctx, program_id, ctx.acting_user):
            raise Forbidden("您不是该项目的工作人员，请联系管理员分配")
    elif village_id is not None and not (await work_scope(ctx)).covers(village_id):
        raise Forbidden("该村/社区不在您的工作区域内")


def _due_on(
    config: MediationConfig, source: str, accepted_on: date, referral: dict[str, Any]
) -> date:
    if source == "court" and referral:
        days = getattr(config, PROCEDURE_DAYS[referral["procedure"]])
        return period_end(referral["referral_date"], days).day
    return period_end(accepted_on, config.usual_days).day


async def _check_mediator(ctx: TenantContext, errors: FieldErrors, membership_id: UUID) -> UUID:
    try:
        member = await tenants_repo.get_member(ctx, membership_id)
    except NotFound:
        errors.add("mediator_id", NOT_OWNED.format("承办调解员"))
        return membership_id
    if member.role != Role.MEDIATOR.value or not member.active:
        errors.add("mediator_id", "只能指派在职的调解员")
    return membership_id


# ---- corrections, assignment, parties --------------------------------------------------------


async def update_case(
    ctx: TenantContext, case_id: UUID, data: CaseUpdate, expected_version: int
) -> CaseRow:
    """Correct what a case is about (open cases only), if nobody changed it meanwhile."""
    case = await access.writable_case(ctx, case_id)
    require_status(case.status, {OPEN}, "已结案的案件不能修改基本信息")
    errors = FieldErrors()
    if data.category != case.category:
        await _check_category(ctx, errors, data.category)
    facts = clean_long_text(errors, "facts", "纠纷事实", data.facts, 5000, required=True)
    claims = clean_long_text(errors, "claims", "当事人请求", data.claims, 5000)
    title = clean_text(errors, "title", "案由", data.title, 80, required=False)
    await _check_place(ctx, errors, data.village_id, data.program_id)
    errors.raise_if_any()
    if case.version != expected_version:
        raise PreconditionFailed
    changes = {
        "category": data.category,
        "facts": facts,
        "claims": claims,
        "title": title,
        "area": data.village_id,
        "program": data.program_id,
    }
    current = {
        "category": case.category,
        "facts": case.facts,
        "claims": case.claims,
        "title": case.title,
        "area": case.area_id,
        "program": case.program_id,
    }
    changed = [k for k, v in changes.items() if current[k] != v]
    if not changed:
        return case
    names = await category_names(ctx)
    shown = {k: names.get(str(v), v) if k == "category" else v for k, v in current.items()}
    after = {k: names.get(str(v), v) if k == "category" else v for k, v in changes.items()}
    diff = {"before": {k: shown[k] for k in changed}, "after": {k: after[k] for k in changed}}
    await repo.update_case(ctx, case_id, expected_version, changes)
    await audit.record(ctx, "case.update", "case", case_id, diff)
    return await repo.get_case(ctx, case_id)


async def assign_mediator(
    ctx: TenantContext, case_id: UUID, membership_id: UUID | None, expected_version: int
) -> CaseRow:
    """The administrator assigns the case to a mediator (or clears the assignment)."""
    case = await repo.get_case(ctx, case_id)
    errors = FieldErrors()
    if membership_id is not None:
        await _check_mediator(ctx, errors, membership_id)
    errors.raise_if_any()
    if case.version != expected_version:
        raise PreconditionFailed
    if case.mediator_id == membership_id:
        return case
    await repo.update_case(ctx, case_id, expected_version, {"mediator": membership_id})
    name = ""
    if membership_id is not None:
        name = (await tenants_repo.get_member(ctx, membership_id)).display_name
    await audit.record(ctx, "case.assign", "case", case_id, {"mediator": name or "（未指派）"})
    return await repo.get_case(ctx, case_id)


async def _touch(ctx: TenantContext, case: CaseRow, expected_version: int, parties: str) -> None:
    """A party change is a change of the case: its version moves (optimistic locking)."""
    if case.version != expected_version:
        raise PreconditionFailed
    await repo.update_case(ctx, case.id, expected_version, {"party_names": parties})


async def _require_parties_editable(ctx: TenantContext, case: CaseRow) -> None:
    require_status(case.status, {OPEN}, "已结案的案件不能修改当事人")


async def add_party(
    ctx: TenantContext, case_id: UUID, data: PartyIn, expected_version: int
) -> PartyRow:
    case = await access.writable_case(ctx, case_id)
    await _require_parties_editable(ctx, case)
    errors = FieldErrors()
    values = _check_party(errors, "", data, ctx.tenant_id)
    parties = await repo.list_parties(ctx, case_id)
    if len(parties) >= MAX_PARTIES:
        errors.add("name", f"当事人不能超过 {MAX_PARTIES} 个")
    errors.raise_if_any()
    names = _party_names([*({"name": p.name} for p in parties), values])
    await _touch(ctx, case, expected_version, names)
    position = max((p.position for p in parties), default=-1) + 1
    party_id = await repo.insert_party(ctx, {**values, "case": case_id, "position": position})
    await audit.record(
        ctx, "case.party_add", "case", case_id,
        {"party": identity.mask_name(values["name"]), "party_role": PARTY_ROLES[data.role]},
    )  # fmt: skip
    return await repo.get_party(ctx, case_id, party_id)


async def update_party(
    ctx: TenantContext, case_id: UUID, party_id: UUID, data: PartyIn, expected_version: int
) -> PartyRow:
    """Correct a party (an empty ID number keeps the stored one)."""
    case = await access.writable_case(ctx, case_id)
    before = await repo.get_party(ctx, case_id, party_id)
    await _require_parties_editable(ctx, case)
    errors = FieldErrors()
    values = _check_party(errors, "", data, ctx.tenant_id)
    errors.raise_if_any()
    if data.kind == "organisation":
        values.update({"id_cipher": "", "id_hash": "", "id_masked": ""})
    parties = await repo.list_parties(ctx, case_id)
    names = _party_names(
        [{"name": values["name"] if p.id == party_id else p.name} for p in parties]
    )
    await _touch(ctx, case, expected_version, names)
    await repo.update_party(ctx, case_id, party_id, values)
    after = await repo.get_party(ctx, case_id, party_id)
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key, shown in (("role", "party_role"), ("kind", "party_kind"), ("name", "name"),
                       ("address", "address"), ("agent_name", "agent_name"),
                       ("id_masked", "id_masked")):  # fmt: skip
        if getattr(before, key) != getattr(after, key):
            old[shown], new[shown] = getattr(before, key), getattr(after, key)
    diff: dict[str, Any] = {"party": identity.mask_name(after.name), "before": old, "after": new}
    if before.mobile != after.mobile:
        diff["mobile_changed"] = True
    await audit.record(ctx, "case.party_update", "case", case_id, diff)
    return after


async def remove_party(
    ctx: TenantContext, case_id: UUID, party_id: UUID, expected_version: int
) -> None:
    case = await access.writable_case(ctx, case_id)
    party = await repo.get_party(ctx, case_id, party_id)
    await _require_parties_editable(ctx, case)
    if await proceedings_repo.party_in_agreements(ctx, party_id):
        raise Conflict("该当事人已写入调解协议（义务人或签名），不能移除；请制作协议更正版本")
    parties = [p for p in await repo.list_parties(ctx, case_id) if p.id != party_id]
    roles = {p.role for p in parties}
    if "applicant" not in roles or "respondent" not in roles:
        raise Conflict("案件至少须保留一名申请人和一名被申请人")
    await _touch(ctx, case, expected_version, _party_names([{"name": p.name} for p in parties]))
    await repo.delete_party(ctx, case_id, party_id)
    await audit.record(
        ctx, "case.party_remove", "case", case_id,
        {"party": identity.mask_name(party.name), "party_role": PARTY_ROLES[party.role]},
    )  # fmt: skip


# ---- lists, search, timeline -----------------------------------------------------------------


async def list_cases(
    ctx: TenantContext, f: CaseFilter, *, limit: int, offset: int, with_total: bool = True
) -> tuple[list[CaseListRow], bool, int | None]:
    """The cases the acting member may read, filtered; a party search narrows to its cases."""
    mine = await access.my_membership(ctx) if f.mine else None  # only "mine" filters by it
    scope = await _read_scope(ctx)
    return await repo.list_cases(
        ctx,
        f,
        mine=mine,
        scope=scope,
        limit=limit,
        offset=offset,
        with_total=with_total,
    )


async def _read_scope(ctx: TenantContext) -> repo.ReadScope | None:
    """What the member's lists may show (None: every case of the tenant)."""
    if ctx.role is None or ctx.role is Role.ADMIN:
        return None
    if ctx.role is Role.COURT_REVIEWER:
        return repo.ReadScope(court=True)
    areas = await work_scope(ctx)
    if areas.county:
        return None
    programs = await programs_repo.staffed_programs(ctx, ctx.acting_user)
    return repo.ReadScope(
        area_ids=frozenset(areas.area_ids),
        program_ids=frozenset(programs),
        membership_id=await access.my_membership(ctx),
        user_id=ctx.user_id,
    )


async def search_cases(
    ctx: TenantContext, data: CaseSearch, f: CaseFilter | None = None
) -> tuple[list[CaseListRow], bool, int | None]:
    """Cases of a party, by the beginning of a name or by an ID number (its keyed hash): from
    a POST body, since personal data never travels in a URL. An invalid ID number is a 422."""
    errors = FieldErrors()
    name = clean_text(errors, "party_name", "当事人姓名", data.party_name, 40, required=False)
    number = check_id_number(errors, "id_number", data.id_number)
    if not name and not number and "id_number" not in errors:
        errors.add("party_name", "请输入当事人姓名或身份证号码")
    if not 1 <= data.limit <= 200:
        errors.add("limit", "每页条数须在 1 到 200 之间")
    if not 0 <= data.offset <= 1_000_000:
        errors.add("offset", "起始位置无效")
    errors.raise_if_any()
    id_hash = identity.id_number_hash(ctx.tenant_id, number) if number else ""
    search = msgspec.structs.replace(f or CaseFilter(), party_name=name, id_hash=id_hash)
    return await list_cases(ctx, search, limit=data.limit, offset=data.offset)


async def timeline(ctx: TenantContext, case_id: UUID, limit: int = 200) -> list[Any]:
    """The case's changes, newest first: who, when, what (diffs masked)."""
    events, _ = await audit.list_events(
        ctx,
        audit.AuditFilter(object_type="case", object_id=str(case_id)),
        {},
        limit=limit,
        with_total=False,
    )
    return events
