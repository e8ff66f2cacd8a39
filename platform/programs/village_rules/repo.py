"""The only module that queries the village-rules tables, always through ``wusong.core.scoped``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import msgspec

from programs.village_rules.schemas import (
    DeclarationRow,
    RuleSetRow,
    RuleSetSummary,
    RuleStepRow,
    RuleVersionRow,
)
from programs.village_rules.tables import BanquetDeclaration, RuleSet, RuleStep, RuleVersion
from wusong.core.db import as_row, as_rows, as_uuid, json_loaded
from wusong.core.errors import NotFound
from wusong.core.scoped import TenantStatement, insert, scoped
from wusong.core.tenancy import TenantContext

_PROGRAM_AREAS = TenantStatement(
    "SELECT area FROM program_areas WHERE tenant = {tenant} AND program = {}"
)


async def program_area_ids(ctx: TenantContext, program_id: UUID) -> list[UUID]:
    """The townships and villages the program covers."""
    return [as_uuid(r["area"]) for r in await _PROGRAM_AREAS.fetch(ctx, program_id)]


# ---- rule sets ---------------------------------------------------------------------------------

_RULE_SET_SQL = """
SELECT s.id, s.program AS program_id, s.village AS village_id, a.name AS village_name,
       s.title, s.created_at, s.version
FROM village_rule_sets s JOIN areas a ON a.id = s.village AND a.tenant = {tenant}
WHERE s.tenant = {tenant} AND s.program = {}
"""
_RULE_SET = TenantStatement(_RULE_SET_SQL + " AND s.id = {}")


async def get_rule_set(ctx: TenantContext, program_id: UUID, rule_set_id: UUID) -> RuleSetRow:
    rows = await _RULE_SET.fetch(ctx, program_id, rule_set_id)
    if not rows:
        raise NotFound("未找到该村规民约")
    return as_row(RuleSetRow, rows[0])


async def rule_set_of_village(
    ctx: TenantContext, program_id: UUID, village_id: UUID
) -> UUID | None:
    row = (
        await scoped(ctx, RuleSet)
        .select(RuleSet.id)
        .where((RuleSet.program == program_id) & (RuleSet.village == village_id))
        .first()
    )
    return as_uuid(row["id"]) if row else None


async def insert_rule_set(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, RuleSet, **values)


# The latest version of each rule set, and the published version in force on a day.
_SUMMARIES_SQL = """
SELECT s.id, s.village AS village_id, a.name AS village_name, s.title,
  (SELECT MAX(v.version_no) FROM village_rule_versions v
    WHERE v.tenant = {tenant} AND v.rule_set = s.id) AS latest_no,
  (SELECT v.status FROM village_rule_versions v
    WHERE v.tenant = {tenant} AND v.rule_set = s.id
    ORDER BY v.version_no DESC LIMIT 1) AS latest_status,
  (SELECT v.version_no FROM village_rule_versions v
    WHERE v.tenant = {tenant} AND v.rule_set = s.id AND v.status = 'published'
      AND v.effective_from <= {}
    ORDER BY v.effective_from DESC, v.version_no DESC LIMIT 1) AS in_force_no,
  (SELECT v.effective_from FROM village_rule_versions v
    WHERE v.tenant = {tenant} AND v.rule_set = s.id AND v.status = 'published'
      AND v.effective_from <= {}
    ORDER BY v.effective_from DESC, v.version_no DESC LIMIT 1) AS in_force_from
FROM village_rule_sets s JOIN areas a ON a.id = s.village AND a.tenant = {tenant}
WHERE s.tenant = {tenant} AND s.program = {}
ORDER BY a.division_code
"""
_SUMMARIES = TenantStatement(_SUMMARIES_SQL)


async def list_rule_sets(ctx: TenantContext, program_id: UUID, day: date) -> list[RuleSetSummary]:
    return as_rows(RuleSetSummary, await _SUMMARIES.fetch(ctx, day, day, program_id))


# ---- versions ----------------------------------------------------------------------------------

_VERSION_COLUMNS = (
    RuleVersion.id,
    RuleVersion.rule_set.as_alias("rule_set_id"),
    RuleVersion.program.as_alias("program_id"),
    RuleVersion.village.as_alias("village_id"),
    RuleVersion.version_no,
    RuleVersion.status,
    RuleVersion.articles,
    RuleVersion.occasions,
    RuleVersion.occasions_article,
    RuleVersion.max_tables,
    RuleVersion.max_tables_article,
    RuleVersion.max_fen_per_table,
    RuleVersion.max_fen_article,
    RuleVersion.venue,
    RuleVersion.venue_article,
    RuleVersion.last_step_on,
    RuleVersion.published_on,
    RuleVersion.effective_from,
    RuleVersion.filing_no,
    RuleVersion.updated_at,
    RuleVersion.version,
)


def _version(row: dict[str, Any]) -> RuleVersionRow:
    return as_row(RuleVersionRow, json_loaded(row, "articles", "occasions"))


async def get_version(ctx: TenantContext, program_id: UUID, version_id: UUID) -> RuleVersionRow:
    row = (
        await scoped(ctx, RuleVersion)
        .select(*_VERSION_COLUMNS)
        .where((RuleVersion.id == version_id) & (RuleVersion.program == program_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该版本")
    return _version(row)


async def versions_of(ctx: TenantContext, rule_set_id: UUID) -> list[RuleVersionRow]:
    rows = (
        await scoped(ctx, RuleVersion)
        .select(*_VERSION_COLUMNS)
        .where(RuleVersion.rule_set == rule_set_id)
        .order_by(RuleVersion.version_no, ascending=False)
    )
    return [_version(row) for row in rows]


async def insert_version(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, RuleVersion, **values)


async def update_version(
    ctx: TenantContext, version_id: UUID, values: dict[str, Any], expected: int
) -> bool:
    """Update the version row if it is still at ``expected``; False when someone saved first."""
    rows = (
        await scoped(ctx, RuleVersion)
        .update(
            {
                **{getattr(RuleVersion, k): v for k, v in values.items()},
                RuleVersion.version: expected + 1,
                RuleVersion.updated_at: datetime.now(UTC),
            }
        )
        .where((RuleVersion.id == version_id) & (RuleVersion.version == expected))
        .returning(RuleVersion.id)
    )
    return bool(rows)


async def version_in_force(
    ctx: TenantContext, program_id: UUID, village_id: UUID, day: date
) -> RuleVersionRow | None:
    """The published version of the village's rules in force on ``day``: the latest effective
    date on or before it (a later publication supersedes an earlier one from its date)."""
    row = (
        await scoped(ctx, RuleVersion)
        .select(*_VERSION_COLUMNS)
        .where(
            (RuleVersion.program == program_id)
            & (RuleVersion.village == village_id)
            & (RuleVersion.status == "published")
            & (RuleVersion.effective_from <= day)
        )
        .order_by(RuleVersion.effective_from, ascending=False)
        .order_by(RuleVersion.version_no, ascending=False)
        .first()
    )
    return _version(row) if row else None


async def insert_step(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, RuleStep, **values)


async def steps_of(ctx: TenantContext, version_ids: list[UUID]) -> list[RuleStepRow]:
    if not version_ids:
        return []
    rows = (
        await scoped(ctx, RuleStep)
        .select(
            RuleStep.id,
            RuleStep.rule_version.as_alias("rule_version_id"),
            RuleStep.kind,
            RuleStep.occurred_on,
            RuleStep.details,
            RuleStep.recorded_by_name,
            RuleStep.created_at,
        )
        .where(RuleStep.rule_version.is_in(version_ids))
        .order_by(RuleStep.created_at)
    )
    return as_rows(RuleStepRow, [json_loaded(r, "details") for r in rows])


# ---- banquet declarations ----------------------------------------------------------------------

_DECLARATION_COLUMNS = (
    BanquetDeclaration.id,
    BanquetDeclaration.program.as_alias("program_id"),
    BanquetDeclaration.village.as_alias("village_id"),
    BanquetDeclaration.village.name.as_alias("village_name"),
    BanquetDeclaration.household_head,
    BanquetDeclaration.occasion,
    BanquetDeclaration.banquet_on,
    BanquetDeclaration.tables,
    BanquetDeclaration.fen_per_table,
    BanquetDeclaration.venue,
    BanquetDeclaration.note,
    BanquetDeclaration.rule_version.as_alias("rule_version_id"),
    BanquetDeclaration.rule_version.version_no.as_alias("rule_version_no"),
    BanquetDeclaration.within_limits,
    BanquetDeclaration.findings,
    BanquetDeclaration.recorded_by,
    BanquetDeclaration.recorded_by_name,
    BanquetDeclaration.created_at,
)


def _declaration(row: dict[str, Any]) -> DeclarationRow:
    row = json_loaded(row, "findings")
    fen = int(row["fen_per_table"])
    row["yuan_per_table"] = f"{fen // 100}.{fen % 100:02d}"
    row["within_limits"] = bool(row["within_limits"])
    return as_row(DeclarationRow, row)


async def insert_declaration(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, BanquetDeclaration, **values)


async def get_declaration(
    ctx: TenantContext, program_id: UUID, declaration_id: UUID
) -> DeclarationRow:
    row = (
        await scoped(ctx, BanquetDeclaration)
        .select(*_DECLARATION_COLUMNS)
        .where(
            (BanquetDeclaration.id == declaration_id) & (BanquetDeclaration.program == program_id)
        )
        .first()
    )
    if row is None:
        raise NotFound("未找到该宴席申报")
    return _declaration(row)


class DeclarationFilter(msgspec.Struct, frozen=True):
    """What a declaration list is narrowed to; ``villages`` None is every village, dates are
    inclusive, ``flagged`` True: only those breaking a clause (or with no rules in force)."""

    villages: frozenset[UUID] | None = None
    occasion: str | None = None
    start: date | None = None
    end: date | None = None
    flagged: bool | None = None


async def list_declarations(
    ctx: TenantContext,
    program_id: UUID,
    filters: DeclarationFilter,
    *,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[DeclarationRow], bool]:
    """A page of declarations, latest banquet first, and whether there are more."""
    if filters.villages is not None and not filters.villages:
        return [], False
    query = (
        scoped(ctx, BanquetDeclaration)
        .select(*_DECLARATION_COLUMNS)
        .where(BanquetDeclaration.program == program_id)
    )
    if filters.villages is not None:
        query = query.where(BanquetDeclaration.village.is_in(sorted(filters.villages)))
    if filters.occasion is not None:
        query = query.where(BanquetDeclaration.occasion == filters.occasion)
    if filters.start is not None:
        query = query.where(BanquetDeclaration.banquet_on >= filters.start)
    if filters.end is not None:
        query = query.where(BanquetDeclaration.banquet_on <= filters.end)
    if filters.flagged is not None:
        query = query.where(BanquetDeclaration.within_limits == (not filters.flagged))
    rows = await (
        query.order_by(BanquetDeclaration.banquet_on, ascending=False)
        .order_by(BanquetDeclaration.created_at, ascending=False)
        .limit(limit + 1)
        .offset(offset)
    )
    return [_declaration(r) for r in rows[:limit]], len(rows) > limit
