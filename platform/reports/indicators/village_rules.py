"""Indicators of village-rules programs, computed by grouped queries in the database: banquet
declarations and the share found within the rules (by occasion, by village), and rule sets
published and in force. Every figure links to the filtered declaration list behind it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from programs.schemas import ProgramRow
from reports.indicators.base import Cell, IndicatorTable, Period
from wusong.core.scoped import TenantStatement
from wusong.core.tenancy import TenantContext

_BY_GROUP_SQL = """
SELECT d.occasion AS occasion, d.village AS village_id, a.name AS village_name,
       COUNT(*) AS declared,
       SUM(CASE WHEN d.within_limits THEN 1 ELSE 0 END) AS within
FROM village_banquet_declarations d
JOIN areas a ON a.id = d.village AND a.tenant = {tenant}
WHERE d.tenant = {tenant} AND d.program = {} AND d.banquet_on >= {} AND d.banquet_on < {}
"""
_GROUPS = " GROUP BY d.occasion, d.village, a.name, a.division_code ORDER BY a.division_code"
_BY_GROUP = TenantStatement(_BY_GROUP_SQL + _GROUPS)
_BY_GROUP_VILLAGE = TenantStatement(_BY_GROUP_SQL + " AND d.village = {}" + _GROUPS)

_RULE_SETS_SQL = """
SELECT COUNT(*) AS rule_sets,
  SUM(CASE WHEN EXISTS (
    SELECT 1 FROM village_rule_versions v
    WHERE v.tenant = {tenant} AND v.rule_set = s.id AND v.status = 'published'
      AND v.effective_from < {}) THEN 1 ELSE 0 END) AS in_force,
  SUM((SELECT COUNT(*) FROM village_rule_versions w
    WHERE w.tenant = {tenant} AND w.rule_set = s.id AND w.status = 'published'
      AND w.published_on >= {} AND w.published_on < {})) AS published
FROM village_rule_sets s
WHERE s.tenant = {tenant} AND s.program = {}
"""
_RULE_SETS = TenantStatement(_RULE_SETS_SQL)
_RULE_SETS_VILLAGE = TenantStatement(_RULE_SETS_SQL + " AND s.village = {}")

# COUNT(d.program), not COUNT(d.id): the same count (matched rows), read from the covering index.
_TENANT_SQL = """
SELECT p.id AS program_id, p.name AS name, COUNT(d.program) AS declared,
       SUM(CASE WHEN d.within_limits THEN 1 ELSE 0 END) AS within
FROM programs p
LEFT JOIN village_banquet_declarations d ON d.program = p.id AND d.tenant = {tenant}
  AND d.banquet_on >= {} AND d.banquet_on < {}{village}
WHERE p.tenant = {tenant} AND p.kind = 'village_rules' AND p.status <> 'draft'
GROUP BY p.id, p.name, p.created_at ORDER BY p.created_at
"""
_TENANT = TenantStatement(_TENANT_SQL.replace("{village}", ""))
_TENANT_VILLAGE = TenantStatement(_TENANT_SQL.replace("{village}", " AND d.village = {}"))


def _share(within: int, declared: int) -> float | None:
    return round(100 * within / declared, 1) if declared else None


def _link(
    ctx: TenantContext, program_id: Any, period: Period, village_id: UUID | None, **extra: str
) -> str:
    query = {
        "from": period.start.isoformat(),
        "to": (period.end - timedelta(days=1)).isoformat(),
        "scope": "all",
        **({"village": str(village_id)} if village_id else {}),
        **extra,
    }
    return f"/t/{ctx.tenant_slug}/programs/{program_id}/declarations?{urlencode(query)}"


async def _groups(
    ctx: TenantContext, program_id: UUID, period: Period, village_id: UUID | None
) -> list[dict[str, Any]]:
    if village_id is None:
        return await _BY_GROUP.fetch(ctx, program_id, period.start, period.end)
    return await _BY_GROUP_VILLAGE.fetch(ctx, program_id, period.start, period.end, village_id)


def _totals(rows: list[dict[str, Any]], key: str | None = None) -> dict[Any, tuple[int, int]]:
    """(declared, within) per ``key`` of the grouped rows (None: one total)."""
    totals: dict[Any, tuple[int, int]] = {}
    for row in rows:
        group = row[key] if key else None
        declared, within = totals.get(group, (0, 0))
        totals[group] = (declared + int(row["declared"]), within + int(row["within"] or 0))
    return totals


async def program_tables(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    previous = period.previous_year()
    now = await _groups(ctx, program.id, period, village_id)
    before = await _groups(ctx, program.id, previous, village_id)

    def link(**extra: str) -> str:
        return _link(ctx, program.id, period, village_id, **extra)

    declared, within = _totals(now).get(None, (0, 0))
    p_declared, p_within = _totals(before).get(None, (0, 0))
    summary = IndicatorTable(
        key="village_rules_declarations",
        title="宴席申报",
        columns=["指标", "本期", "上年同期"],
        rows=[
            [Cell("申报宴席（场）"), Cell(declared, p_declared, link()), Cell(p_declared)],
            [
                Cell("符合村规民约（场）"),
                Cell(within, p_within, link(flagged="0")),
                Cell(p_within),
            ],
            [
                Cell("不符合（场）"),
                Cell(declared - within, p_declared - p_within, link(flagged="1")),
                Cell(p_declared - p_within),
            ],
            [
                Cell("符合率"),
                Cell(_share(within, declared), _share(p_within, p_declared), link(), "%"),
                Cell(_share(p_within, p_declared), unit="%"),
            ],
        ],
        note="按办席日期统计；每场申报按办席当日施行的村规民约自动核对。",
    )

    by_occasion = IndicatorTable(
        key="village_rules_by_occasion",
        title="按宴席事由",
        columns=["宴席事由", "申报（场）", "符合（场）", "符合率"],
    )
    previous_occasions = _totals(before, "occasion")
    for occasion, (n, ok) in sorted(_totals(now, "occasion").items(), key=lambda i: -i[1][0]):
        p_n, p_ok = previous_occasions.get(occasion, (0, 0))
        by_occasion.rows.append(
            [
                Cell(occasion),
                Cell(n, p_n, link(occasion=occasion)),
                Cell(ok, p_ok, link(occasion=occasion, flagged="0")),
                Cell(_share(ok, n), _share(p_ok, p_n), link(occasion=occasion), "%"),
            ]
        )

    by_village = IndicatorTable(
        key="village_rules_by_village",
        title="按村/社区",
        columns=["村/社区", "申报（场）", "符合（场）", "不符合（场）", "符合率"],
    )
    names = {str(r["village_id"]): r["village_name"] for r in now}
    previous_villages = _totals(before, "village_id")
    for village, (n, ok) in _totals(now, "village_id").items():
        p_n, p_ok = previous_villages.get(village, (0, 0))
        here = _link(ctx, program.id, period, village)
        by_village.rows.append(
            [
                Cell(names[str(village)]),
                Cell(n, p_n, here),
                Cell(ok, p_ok, here + "&flagged=0"),
                Cell(n - ok, p_n - p_ok, here + "&flagged=1"),
                Cell(_share(ok, n), _share(p_ok, p_n), here, "%"),
            ]
        )

    rules_link = f"/t/{ctx.tenant_slug}/programs/{program.id}/rules"
    counts = await _rule_set_counts(ctx, program.id, period, village_id)
    p_counts = await _rule_set_counts(ctx, program.id, previous, village_id)
    rule_sets = IndicatorTable(
        key="village_rules_rule_sets",
        title="村规民约",
        columns=["指标", "本期", "上年同期"],
        rows=[
            [
                Cell("已建立村规民约的村（个）"),
                Cell(counts["rule_sets"], None, rules_link),
                Cell(None),
            ],
            [
                Cell("期末施行中的村规民约（个）"),
                Cell(counts["in_force"], p_counts["in_force"], rules_link),
                Cell(p_counts["in_force"]),
            ],
            [
                Cell("本期公布的版本（个）"),
                Cell(counts["published"], p_counts["published"], rules_link),
                Cell(p_counts["published"]),
            ],
        ],
    )
    return [summary, by_occasion, by_village, rule_sets]


async def _rule_set_counts(
    ctx: TenantContext, program_id: UUID, period: Period, village_id: UUID | None
) -> dict[str, int]:
    args: list[Any] = [period.end, period.start, period.end, program_id]
    if village_id is None:
        rows = await _RULE_SETS.fetch(ctx, *args)
    else:
        rows = await _RULE_SETS_VILLAGE.fetch(ctx, *args, village_id)
    row = rows[0] if rows else {}
    return {k: int(row.get(k) or 0) for k in ("rule_sets", "in_force", "published")}


async def tenant_tables(
    ctx: TenantContext, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    """The dashboard's part: banquets declared and found within limits, per program."""
    previous = period.previous_year()

    async def fetch(at: Period) -> list[dict[str, Any]]:
        if village_id is None:
            return await _TENANT.fetch(ctx, at.start, at.end)
        return await _TENANT_VILLAGE.fetch(ctx, at.start, at.end, village_id)

    now, before = await fetch(period), await fetch(previous)
    if not now:
        return []
    earlier = {str(r["program_id"]): r for r in before}
    table = IndicatorTable(
        key="village_rules_banquets",
        title="宴席申报（村规民约）",
        columns=["项目", "申报宴席（场）", "符合村规民约（场）", "符合率"],
        note="按办席日期统计，按办席当日施行的村规民约核对。",
    )
    for row in now:
        program_id = row["program_id"]
        n, ok = int(row["declared"]), int(row["within"] or 0)
        last = earlier.get(str(program_id), {})
        p_n, p_ok = int(last.get("declared") or 0), int(last.get("within") or 0)
        table.rows.append(
            [
                Cell(row["name"], link=f"/t/{ctx.tenant_slug}/programs/{program_id}"),
                Cell(n, p_n, _link(ctx, program_id, period, village_id)),
                Cell(ok, p_ok, _link(ctx, program_id, period, village_id, flagged="0")),
                Cell(
                    _share(ok, n),
                    _share(p_ok, p_n),
                    _link(ctx, program_id, period, village_id),
                    "%",
                ),
            ]
        )
    return [table]
