"""Village rules use cases: rule sets and their versions through the lifecycle (draft → township
legality review → assembly vote → filing → published → revised as a new version), and banquet
declarations checked against the version in force on the banquet's day.

They run inside their caller's unit of work and never open a transaction of their own.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import msgspec

from programs import repo as programs_repo
from programs.access import require_program_write
from programs.kinds import ProgramKind
from programs.schemas import ProgramRow
from programs.village_rules import repo
from programs.village_rules.config import MAJORITIES, Config, vote_passes
from programs.village_rules.rules import breaches, mask_name, parse_yuan, yuan_text
from programs.village_rules.schemas import (
    VERSION_STATUSES,
    DeclarationCreate,
    DeclarationRow,
    DraftUpdate,
    FilingRecord,
    PublishRecord,
    ReviewRecord,
    RevisionCreate,
    RuleSetCreate,
    RuleSetRow,
    RuleVersionRow,
    VoteRecord,
)
from tenants import audit
from tenants import repo as tenants_repo
from tenants.rules import clean_text
from tenants.schemas import AreaRow
from tenants.tables import Area
from wusong.core.clock import local_today as today
from wusong.core.errors import Conflict, FieldErrors, NotFound, PreconditionFailed
from wusong.core.scoped import require_owned
from wusong.core.tenancy import TenantContext

KIND = ProgramKind.VILLAGE_RULES.value
EARLIEST = date(2000, 1, 1)
_OCCASION_SPLIT = re.compile(r"[、,，;；\s]+")


async def rules_program(ctx: TenantContext, program_id: UUID) -> ProgramRow:
    """The program, when it is a village-rules program of this tenant (else 404)."""
    program = await programs_repo.get_program(ctx, program_id)
    if program.kind != KIND:
        raise NotFound("未找到该项目")
    return program


async def program_config(ctx: TenantContext, program_id: UUID) -> Config:
    found = await programs_repo.config_version(ctx, program_id)
    return msgspec.convert(found.config if found else {}, Config, strict=False)


async def covered_villages(ctx: TenantContext, program_id: UUID) -> list[AreaRow]:
    """The program's villages: those it covers, and the villages of the townships it covers."""
    covered = set(await repo.program_area_ids(ctx, program_id))
    return [
        area
        for area in await tenants_repo.all_areas(ctx)
        if area.kind == "village" and (area.id in covered or area.parent_id in covered)
    ]


async def _village(
    ctx: TenantContext, program_id: UUID, village_id: Any, errors: FieldErrors
) -> AreaRow | None:
    """The village of a body's ``village_id``: this tenant's (else 422), a village, covered."""
    owned = await require_owned(ctx, Area, village_id, field="village_id", label="村/社区")
    area = await tenants_repo.get_area(ctx, owned)
    if area.kind != "village":
        errors.add("village_id", "请选择村/社区，而不是乡镇/街道")
        return None
    if area.id not in {v.id for v in await covered_villages(ctx, program_id)}:
        errors.add("village_id", f"{area.name}不在本项目覆盖的范围内")
        return None
    return area


# ---- rule sets and drafts ----------------------------------------------------------------------


async def create_rule_set(ctx: TenantContext, program_id: UUID, data: RuleSetCreate) -> RuleSetRow:
    """A village's rule set, with an empty first draft."""
    await rules_program(ctx, program_id)
    errors = FieldErrors()
    village = await _village(ctx, program_id, data.village_id, errors)
    title = clean_text(errors, "title", "名称", data.title, 80, required=False)
    drafted_on = _drafted_on(errors, data.drafted_on)
    errors.raise_if_any()
    assert village is not None
    await require_program_write(ctx, program_id, area_id=village.id, kind=KIND)
    if await repo.rule_set_of_village(ctx, program_id, village.id):
        raise Conflict(f"{village.name}已有村规民约：请在其上修订出新版本，而不是另建一套")
    title = title or f"{village.name}村规民约"
    rule_set_id = await repo.insert_rule_set(
        ctx, {"program": program_id, "village": village.id, "title": title}
    )
    version_id = await repo.insert_version(
        ctx,
        {
            "rule_set": rule_set_id,
            "program": program_id,
            "village": village.id,
            "version_no": 1,
            "status": "draft",
            "last_step_on": drafted_on,
        },
    )
    await _step(ctx, version_id, "drafted", drafted_on, {})
    await audit.record(
        ctx,
        "village_rules.create",
        "village_rule_set",
        rule_set_id,
        {"village": village.name, "title": title},
    )
    return await repo.get_rule_set(ctx, program_id, rule_set_id)


def _drafted_on(errors: FieldErrors, day: date | None) -> date:
    if day is not None and day > today():
        errors.add("drafted_on", "起草日期不能晚于今天")
    elif day is not None and day < EARLIEST:
        errors.add("drafted_on", "起草日期不能早于 2000 年")
    return day or today()


async def _writable_version(
    ctx: TenantContext, program_id: UUID, version_id: UUID, *, area: str = "village"
) -> RuleVersionRow:
    """The version, when the acting member may record for its village (or, for the legality
    review, for its township)."""
    await rules_program(ctx, program_id)
    version = await repo.get_version(ctx, program_id, version_id)
    area_id = version.village_id
    if area == "township":
        village = await tenants_repo.get_area(ctx, version.village_id)
        area_id = village.parent_id or village.id
    await require_program_write(ctx, program_id, area_id=area_id, kind=KIND)
    return version


def _articles(raw: list[str] | str, errors: FieldErrors) -> list[str]:
    lines = raw.splitlines() if isinstance(raw, str) else raw
    articles = []
    for line in lines:
        text = clean_text(errors, "articles", "条文", line, 1000, required=False)
        if text:
            articles.append(text)
    if len(articles) > 200:
        errors.add("articles", "条文不能超过 200 条")
    return articles


def _clause_article(
    errors: FieldErrors, field: str, number: int | None, used: bool, articles: int
) -> int | None:
    if not used:
        return None
    if number is None:
        errors.add(field, "请填写该条款所在的条号")
    elif not 1 <= number <= max(articles, 1) or articles == 0:
        errors.add(field, f"第 {number} 条不存在（共 {articles} 条）")
    return number


async def update_draft(
    ctx: TenantContext,
    program_id: UUID,
    version_id: UUID,
    data: DraftUpdate,
    expected: int | None = None,
) -> RuleVersionRow:
    """Save a draft's articles and quantitative clauses (only a draft is editable)."""
    version = await _writable_version(ctx, program_id, version_id)
    if version.status != "draft":
        raise Conflict(
            f"只有草稿可以修改：该版本{VERSION_STATUSES[version.status]}。"
            "如需修改，请在公布后修订出新版本"
        )
    config = await program_config(ctx, program_id)
    errors = FieldErrors()
    articles = _articles(data.articles, errors)
    raw = data.occasions
    occasions = [o for o in (_OCCASION_SPLIT.split(raw) if isinstance(raw, str) else raw) if o]
    occasions = list(dict.fromkeys(o.strip() for o in occasions if o.strip()))
    unknown = [o for o in occasions if o not in config.occasions]
    if unknown:
        errors.add(
            "occasions",
            f"“{'、'.join(unknown)}”不是本项目设置的宴席事由（{'、'.join(config.occasions)}）",
        )
    if data.max_tables is not None and not 1 <= data.max_tables <= 1000:
        errors.add("max_tables", "每场最多桌数应在 1 到 1000 之间")
    max_fen = parse_yuan(
        errors, "max_yuan_per_table", "每桌最高标准", data.max_yuan_per_table, required=False
    )
    if max_fen == 0:
        errors.add("max_yuan_per_table", "每桌最高标准应大于 0 元")
    venue = clean_text(errors, "venue", "指定办席地点", data.venue, 60, required=False)
    n = len(articles)
    values = {
        "articles": articles,
        "occasions": occasions,
        "occasions_article": _clause_article(
            errors, "occasions_article", data.occasions_article, bool(occasions), n
        ),
        "max_tables": data.max_tables,
        "max_tables_article": _clause_article(
            errors, "max_tables_article", data.max_tables_article, data.max_tables is not None, n
        ),
        "max_fen_per_table": max_fen,
        "max_fen_article": _clause_article(
            errors, "max_yuan_article", data.max_yuan_article, max_fen is not None, n
        ),
        "venue": venue,
        "venue_article": _clause_article(
            errors, "venue_article", data.venue_article, bool(venue), n
        ),
    }
    errors.raise_if_any()
    expected_version = data.version if expected is None else expected
    if not await repo.update_version(ctx, version_id, values, expected_version):
        raise PreconditionFailed
    await audit.record(
        ctx,
        "village_rules.edit",
        "village_rule_version",
        version_id,
        {"version_no": version.version_no, "articles": n},
    )
    return await repo.get_version(ctx, program_id, version_id)


async def revise(
    ctx: TenantContext, program_id: UUID, rule_set_id: UUID, data: RevisionCreate
) -> RuleVersionRow:
    """A new draft copied from the rule set's latest (published) version."""
    await rules_program(ctx, program_id)
    rule_set = await repo.get_rule_set(ctx, program_id, rule_set_id)
    await require_program_write(ctx, program_id, area_id=rule_set.village_id, kind=KIND)
    versions = await repo.versions_of(ctx, rule_set_id)
    latest = versions[0]
    errors = FieldErrors()
    drafted_on = _drafted_on(errors, data.drafted_on)
    if latest.last_step_on and "drafted_on" not in errors and drafted_on < latest.last_step_on:
        errors.add("drafted_on", f"修订日期不能早于上一版本的公布日期（{latest.last_step_on}）")
    if latest.status != "published":
        raise Conflict(
            f"第 {latest.version_no} 版尚未公布（{VERSION_STATUSES[latest.status]}）："
            "请在其上继续，公布后才能修订出新版本"
        )
    errors.raise_if_any()
    copied = {
        name: getattr(latest, name)
        for name in (
            "articles",
            "occasions",
            "occasions_article",
            "max_tables",
            "max_tables_article",
            "max_fen_per_table",
            "max_fen_article",
            "venue",
            "venue_article",
        )
    }
    version_id = await repo.insert_version(
        ctx,
        {
            "rule_set": rule_set_id,
            "program": program_id,
            "village": rule_set.village_id,
            "version_no": latest.version_no + 1,
            "status": "draft",
            "last_step_on": drafted_on,
            **copied,
        },
    )
    await _step(ctx, version_id, "revised", drafted_on, {"from_version": latest.version_no})
    await audit.record(
        ctx,
        "village_rules.revise",
        "village_rule_version",
        version_id,
        {"version_no": latest.version_no + 1, "from_version": latest.version_no},
    )
    return await repo.get_version(ctx, program_id, version_id)


# ---- lifecycle steps ---------------------------------------------------------------------------


def _step_day(
    errors: FieldErrors, field: str, label: str, day: date, version: RuleVersionRow
) -> None:
    if day > today():
        errors.add(field, f"{label}不能晚于今天")
    elif day < EARLIEST:
        errors.add(field, f"{label}不能早于 2000 年")
    elif version.last_step_on is not None and day < version.last_step_on:
        errors.add(field, f"{label}不能早于上一步的日期（{version.last_step_on.isoformat()}）")


async def _advance(
    ctx: TenantContext,
    version: RuleVersionRow,
    status: str,
    day: date,
    extra: dict[str, Any] | None = None,
) -> None:
    values = {"status": status, "last_step_on": day, **(extra or {})}
    if not await repo.update_version(ctx, version.id, values, version.version):
        raise PreconditionFailed


async def _step(
    ctx: TenantContext, version_id: UUID, kind: str, day: date, details: dict[str, Any]
) -> None:
    await repo.insert_step(
        ctx,
        {
            "rule_version": version_id,
            "kind": kind,
            "occurred_on": day,
            "details": details,
            "recorded_by": ctx.user_id,
            "recorded_by_name": ctx.display_name or ctx.actor_name,
        },
    )


async def record_review(
    ctx: TenantContext, program_id: UUID, version_id: UUID, data: ReviewRecord
) -> RuleVersionRow:
    """The township's legality review of a draft: approved, or returned with an opinion."""
    version = await _writable_version(ctx, program_id, version_id, area="township")
    if version.status != "draft":
        raise Conflict(f"合法性审查只针对草稿：该版本{VERSION_STATUSES[version.status]}")
    if not version.articles:
        raise Conflict("草稿还没有条文，不能进行合法性审查")
    errors = FieldErrors()
    _step_day(errors, "reviewed_on", "审查日期", data.reviewed_on, version)
    opinion = clean_text(errors, "opinion", "审查意见", data.opinion, 500, required=False)
    if not data.approved and not opinion:
        errors.add("opinion", "退回修改时须填写审查意见")
    errors.raise_if_any()
    kind = "review_approved" if data.approved else "review_returned"
    await _advance(ctx, version, "reviewed" if data.approved else "draft", data.reviewed_on)
    await _step(ctx, version_id, kind, data.reviewed_on, {"opinion": opinion})
    await audit.record(
        ctx,
        f"village_rules.{kind}",
        "village_rule_version",
        version_id,
        {"version_no": version.version_no, "opinion": opinion},
    )
    return await repo.get_version(ctx, program_id, version_id)


async def record_vote(
    ctx: TenantContext, program_id: UUID, version_id: UUID, data: VoteRecord
) -> RuleVersionRow:
    """The assembly's vote: passes with the configured majority (and quorum), else the version
    goes back to draft."""
    version = await _writable_version(ctx, program_id, version_id)
    if version.status != "reviewed":
        raise Conflict(
            "未经乡镇合法性审查通过的版本不能提交村民（代表）会议表决"
            f"（该版本{VERSION_STATUSES[version.status]}）"
        )
    errors = FieldErrors()
    _step_day(errors, "voted_on", "表决日期", data.voted_on, version)
    if not 1 <= data.attendees <= 100_000:
        errors.add("attendees", "到会人数应在 1 到 100000 之间")
    for field, label, value in (
        ("votes_for", "赞成票", data.votes_for),
        ("votes_against", "反对票", data.votes_against),
        ("votes_abstain", "弃权票", data.votes_abstain),
    ):
        if value < 0:
            errors.add(field, f"{label}不能为负数")
    cast = data.votes_for + data.votes_against + data.votes_abstain
    if "attendees" not in errors and cast > data.attendees:
        errors.add(
            "attendees",
            f"赞成、反对、弃权合计 {cast} 票，超过到会人数 {data.attendees} 人",
        )
    errors.raise_if_any()
    config = await program_config(ctx, program_id)
    quorum_met = data.attendees >= config.quorum
    passed = quorum_met and vote_passes(config.majority, data.attendees, data.votes_for)
    reason = ""
    if not quorum_met:
        reason = f"到会 {data.attendees} 人，未达到最低到会人数 {config.quorum} 人"
    elif not passed:
        reason = f"赞成 {data.votes_for} 票，未达到“{MAJORITIES[config.majority]}”"
    details = {
        "attendees": data.attendees,
        "votes_for": data.votes_for,
        "votes_against": data.votes_against,
        "votes_abstain": data.votes_abstain,
        "majority": config.majority,
        "quorum": config.quorum,
        "reason": reason,
    }
    kind = "vote_passed" if passed else "vote_failed"
    await _advance(ctx, version, "voted" if passed else "draft", data.voted_on)
    await _step(ctx, version_id, kind, data.voted_on, details)
    await audit.record(
        ctx,
        f"village_rules.{kind}",
        "village_rule_version",
        version_id,
        {"version_no": version.version_no, **details},
    )
    return await repo.get_version(ctx, program_id, version_id)


async def record_filing(
    ctx: TenantContext, program_id: UUID, version_id: UUID, data: FilingRecord
) -> RuleVersionRow:
    """Filing (备案) with the township of a version the assembly adopted."""
    version = await _writable_version(ctx, program_id, version_id)
    if version.status != "voted":
        raise Conflict(
            "未经村民（代表）会议表决通过的版本不能备案"
            f"（该版本{VERSION_STATUSES[version.status]}）"
        )
    errors = FieldErrors()
    _step_day(errors, "filed_on", "备案日期", data.filed_on, version)
    authority = clean_text(errors, "authority", "备案机关", data.authority, 60)
    filing_no = clean_text(errors, "filing_no", "备案号", data.filing_no, 40)
    errors.raise_if_any()
    await _advance(ctx, version, "filed", data.filed_on, {"filing_no": filing_no})
    details = {"authority": authority, "filing_no": filing_no}
    await _step(ctx, version_id, "filed", data.filed_on, details)
    await audit.record(
        ctx,
        "village_rules.file",
        "village_rule_version",
        version_id,
        {"version_no": version.version_no, **details},
    )
    return await repo.get_version(ctx, program_id, version_id)


async def publish(
    ctx: TenantContext, program_id: UUID, version_id: UUID, data: PublishRecord
) -> RuleVersionRow:
    """Publish a filed version; from its effective date it supersedes the previous one."""
    version = await _writable_version(ctx, program_id, version_id)
    if version.status == "published":
        raise Conflict("该版本已经公布")
    if version.status in {"draft", "reviewed"}:
        raise Conflict(
            "未经村民（代表）会议表决通过的版本不能公布"
            f"（该版本{VERSION_STATUSES[version.status]}）：须依次经乡镇合法性审查、"
            "村民（代表）会议表决和备案"
        )
    if version.status != "filed":
        raise Conflict("未备案的版本不能公布：须先报乡镇备案")
    errors = FieldErrors()
    _step_day(errors, "published_on", "公布日期", data.published_on, version)
    effective = data.effective_from or data.published_on
    if effective < data.published_on:
        errors.add("effective_from", "施行日期不能早于公布日期")
    elif effective > data.published_on + timedelta(days=366):
        errors.add("effective_from", "施行日期不能晚于公布后一年")
    previous = [
        v
        for v in await repo.versions_of(ctx, version.rule_set_id)
        if v.status == "published" and v.effective_from is not None
    ]
    if (
        previous
        and "effective_from" not in errors
        and effective <= max(v.effective_from for v in previous if v.effective_from)
    ):
        latest = max(v.effective_from for v in previous if v.effective_from)
        errors.add("effective_from", f"施行日期须晚于上一版本的施行日期（{latest.isoformat()}）")
    errors.raise_if_any()
    await _advance(
        ctx,
        version,
        "published",
        data.published_on,
        {"published_on": data.published_on, "effective_from": effective},
    )
    details = {"effective_from": effective.isoformat()}
    await _step(ctx, version_id, "published", data.published_on, details)
    await audit.record(
        ctx,
        "village_rules.publish",
        "village_rule_version",
        version_id,
        {"version_no": version.version_no, **details},
    )
    return await repo.get_version(ctx, program_id, version_id)


# ---- banquet declarations ----------------------------------------------------------------------


def may_see_name(ctx: TenantContext, row: DeclarationRow) -> bool:
    """The household head's full name: for the declaration's recorder and administrators."""
    return ctx.is_admin or (ctx.user_id is not None and row.recorded_by == ctx.user_id)


def masked(row: DeclarationRow) -> DeclarationRow:
    return msgspec.structs.replace(row, household_head=mask_name(row.household_head))


async def declare_banquet(
    ctx: TenantContext, program_id: UUID, data: DeclarationCreate
) -> DeclarationRow:
    """Record a banquet declaration, checked against the village's rules in force that day."""
    await rules_program(ctx, program_id)
    config = await program_config(ctx, program_id)
    errors = FieldErrors()
    village = await _village(ctx, program_id, data.village_id, errors)
    head = clean_text(errors, "household_head", "户主姓名", data.household_head, 40)
    occasion = data.occasion.strip()
    if occasion not in config.occasions:
        errors.add("occasion", "宴席事由须为：" + "、".join(config.occasions))
    latest = today() + timedelta(days=config.declare_days_ahead)
    if data.banquet_on < EARLIEST:
        errors.add("banquet_on", "办席日期不能早于 2000 年")
    elif data.banquet_on > latest:
        errors.add(
            "banquet_on",
            f"办席日期最晚可申报到 {latest.isoformat()}（{config.declare_days_ahead} 天内）",
        )
    if data.tables < 1:
        errors.add("tables", "桌数至少为 1 桌")
    elif data.tables > 1000:
        errors.add("tables", "桌数不能超过 1000 桌")
    fen = parse_yuan(errors, "yuan_per_table", "每桌标准", data.yuan_per_table)
    venue = clean_text(errors, "venue", "办席地点", data.venue, 60, required=False)
    note = clean_text(errors, "note", "备注", data.note, 200, required=False)
    errors.raise_if_any()
    assert village is not None
    assert fen is not None
    await require_program_write(ctx, program_id, area_id=village.id, kind=KIND)
    version = await repo.version_in_force(ctx, program_id, village.id, data.banquet_on)
    findings = breaches(
        version, occasion=occasion, tables=data.tables, fen_per_table=fen, venue=venue
    )
    declaration_id = await repo.insert_declaration(
        ctx,
        {
            "program": program_id,
            "village": village.id,
            "household_head": head,
            "occasion": occasion,
            "banquet_on": data.banquet_on,
            "tables": data.tables,
            "fen_per_table": fen,
            "venue": venue,
            "note": note,
            "rule_version": version.id if version else None,
            "within_limits": not findings,
            "findings": findings,
            "recorded_by": ctx.user_id,
            "recorded_by_name": ctx.display_name or ctx.actor_name,
        },
    )
    await audit.record(
        ctx,
        "village_rules.declare",
        "banquet_declaration",
        declaration_id,
        {
            "village": village.name,
            "household_head": mask_name(head),
            "occasion": occasion,
            "banquet_on": data.banquet_on.isoformat(),
            "tables": data.tables,
            "yuan_per_table": yuan_text(fen),
            "findings": findings,
        },
    )
    return await repo.get_declaration(ctx, program_id, declaration_id)
