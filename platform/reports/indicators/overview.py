"""The tenant dashboard's first table: programs by type and status (their current state)."""

from __future__ import annotations

from urllib.parse import urlencode

from programs.kinds import KIND_LABELS, PROGRAM_STATUSES
from reports.indicators.base import Cell, IndicatorTable
from wusong.core.scoped import TenantStatement
from wusong.core.tenancy import TenantContext

_BY_KIND_AND_STATUS = TenantStatement(
    "SELECT kind, status, COUNT(*) AS programs FROM programs"
    " WHERE tenant = {tenant} GROUP BY kind, status"
)


def programs_link(ctx: TenantContext, kind: str, status: str | None = None) -> str:
    query = {"kind": kind, **({"status": status} if status else {})}
    return f"/t/{ctx.tenant_slug}/programs?{urlencode(query)}"


async def programs_table(ctx: TenantContext) -> IndicatorTable:
    rows = await _BY_KIND_AND_STATUS.fetch(ctx)
    counts = {(row["kind"], row["status"]): int(row["programs"]) for row in rows}
    table = IndicatorTable(
        "programs.by_kind_status",
        "试点项目（按类型与状态）",
        ["项目类型", *PROGRAM_STATUSES.values(), "合计"],
        note="项目数为当前状态，不随所选期间与村/社区变化。",
    )
    for kind, label in KIND_LABELS.items():
        by_status = [counts.get((kind.value, status), 0) for status in PROGRAM_STATUSES]
        cells = [
            Cell(n, link=programs_link(ctx, kind.value, status), unit="个")
            for n, status in zip(by_status, PROGRAM_STATUSES, strict=True)
        ]
        table.rows.append(
            [
                Cell(label),
                *cells,
                Cell(sum(by_status), link=programs_link(ctx, kind.value), unit="个"),
            ]
        )
    return table
