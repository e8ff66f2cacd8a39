"""Indicators of no-litigation programs (无讼村/社区), computed by grouped queries in the database:
villages meeting the rubric (count and share), new lawsuits and lawsuits per 10,000 residents,
disputes settled locally, and each pilot village's status. Every figure links to the status
page filtered to the villages it counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode
from uuid import UUID

from programs.kinds import ProgramKind
from programs.no_litigation import repo
from programs.no_litigation.config import FAILED_LABELS
from programs.no_litigation.rules import counting_period
from programs.no_litigation.schemas import STATUSES, StatusSummary, VillageStatus
from programs.schemas import ProgramRow
from reports.indicators.base import Cell, IndicatorTable, Period
from wusong.core.tenancy import TenantContext

KIND = ProgramKind.NO_LITIGATION_VILLAGE.value


def _query(period: Period, **filters: str | UUID | None) -> str:
    """The status page's query for a period (a year or quarter by key, else by days)."""
    found = counting_period(period.key)
    if found is not None and (found.start, found.end) == (period.start, period.end):
        params: dict[str, str] = {"period": found.key}
    else:
        params = {
            "from": period.start.isoformat(),
            "to": (period.end - timedelta(days=1)).isoformat(),
        }
    params.update({k: str(v) for k, v in filters.items() if v is not None})
    return urlencode(params)


def _status_link(
    ctx: TenantContext, program_id: UUID, period: Period, **filters: str | UUID | None
) -> str:
    base = f"/t/{ctx.tenant_slug}/programs/{program_id}/no-litigation/status"
    return f"{base}?{_query(period, **filters)}"


def _number(text: str | None) -> float | None:
    """A rate or share for display (computed exactly as Decimal, shown rounded)."""
    return float(Decimal(text)) if text is not None else None


def _status_text(row: VillageStatus) -> str:
    label = STATUSES[row.status]
    if row.failed:
        label += "（" + "、".join(FAILED_LABELS[key] for key in row.failed) + "）"
    return label


def _lawsuit_cells(row: VillageStatus, last: VillageStatus | None, href: str) -> list[Cell]:
    """A village's new lawsuits and rate per 10,000 residents, with last year's."""
    return [
        Cell(row.lawsuits, last.lawsuits if last else None, href, "件"),
        Cell(
            _number(row.rate_per_10k),
            _number(last.rate_per_10k) if last else None,
            href,
            "件/万人",
        ),
    ]


def _summary_rows(
    link: dict[str, str], now: StatusSummary, before: StatusSummary
) -> list[list[Cell]]:
    return [
        [Cell("试点村（社区）"), Cell(now.pilots, before.pilots, link[""], "个")],
        [Cell("达标村（社区）"), Cell(now.met, before.met, link["met"], "个")],
        [
            Cell("达标比例"),
            Cell(_number(now.met_percent), _number(before.met_percent), link["met"], "%"),
        ],
        [Cell("未达标"), Cell(now.failed, before.failed, link["failed"], "个")],
        [Cell("未录入"), Cell(now.missing, before.missing, link["missing"], "个")],
        [Cell("新增诉讼案件"), Cell(now.lawsuits, before.lawsuits, link[""], "件")],
        [
            Cell("万人成讼率"),
            Cell(_number(now.rate_per_10k), _number(before.rate_per_10k), link[""], "件/万人"),
        ],
        [
            Cell("就地化解矛盾纠纷"),
            Cell(now.disputes_settled, before.disputes_settled, link[""], "件"),
        ],
        [
            Cell("受理矛盾纠纷"),
            Cell(now.disputes_received, before.disputes_received, link[""], "件"),
        ],
    ]


async def program_tables(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    if program.kind != KIND:
        return []
    earlier = period.previous_year()
    now = await repo.status_summary(
        ctx, program.id, period.start, period.end, period.label, village_id=village_id
    )
    before = await repo.status_summary(
        ctx, program.id, earlier.start, earlier.end, earlier.label, village_id=village_id
    )
    link = {
        status: _status_link(ctx, program.id, period, village=village_id, status=status or None)
        for status in ("", "met", "failed", "missing")
    }
    summary = IndicatorTable(
        key="no_litigation.summary",
        title="无讼村（社区）创建情况",
        columns=["指标", period.label],
        rows=_summary_rows(link, now, before),
        note="达标：按各统计周期录入时适用的评价标准版本评定；未录入的村（社区）不计为达标。",
    )
    villages = await repo.village_statuses(
        ctx, program.id, period.start, period.end, village_id=village_id
    )
    previous = {
        row.pilot_id: row
        for row in await repo.village_statuses(
            ctx, program.id, earlier.start, earlier.end, village_id=village_id
        )
    }
    table = IndicatorTable(
        key="no_litigation.villages",
        title="各试点村（社区）达标情况",
        columns=[
            "村（社区）",
            "常住人口",
            "新增诉讼（件）",
            "万人成讼率",
            "就地化解（件）",
            "达标情况",
        ],
        note="万人成讼率 = 新增诉讼案件数 × 10000 ÷ 常住人口。",
    )
    for row in villages:
        last = previous.get(row.pilot_id)
        href = _status_link(ctx, program.id, period, village=row.village_id)
        table.rows.append(
            [
                Cell(row.village_name, link=href),
                Cell(row.population, unit="人"),
                *_lawsuit_cells(row, last, href),
                Cell(row.disputes_settled, last.disputes_settled if last else None, href, "件"),
                Cell(_status_text(row), link=href),
            ]
        )
    return [summary, table]


async def tenant_tables(
    ctx: TenantContext, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    """No-litigation status per pilot village across the tenant's no-litigation programs."""
    rows = await repo.tenant_village_statuses(ctx, period.start, period.end, village_id)
    if not rows:
        return []
    earlier = period.previous_year()
    previous = {
        (program_id, row.pilot_id): row
        for program_id, _, row in await repo.tenant_village_statuses(
            ctx, earlier.start, earlier.end, village_id
        )
    }
    table = IndicatorTable(
        key="no_litigation.tenant_villages",
        title="无讼村（社区）达标情况",
        columns=["项目", "村（社区）", "新增诉讼（件）", "万人成讼率", "达标情况"],
        note="各无讼村（社区）创建项目的试点村；达标按各项目的评价标准评定。",
    )
    for program_id, program_name, row in rows:
        last = previous.get((program_id, row.pilot_id))
        href = _status_link(ctx, program_id, period, village=row.village_id)
        table.rows.append(
            [
                Cell(program_name, link=_status_link(ctx, program_id, period)),
                Cell(row.village_name, link=href),
                *_lawsuit_cells(row, last, href),
                Cell(_status_text(row), link=href),
            ]
        )
    return [table]


@dataclass(frozen=True)
class MetCounts:
    """Pilot villages of the tenant's no-litigation programs and how many met the rubric, in
    the period and the same days a year earlier (the city overview)."""

    pilots: tuple[int, int]
    met: tuple[int, int]
    program_ids: tuple[UUID, ...]  # the programs counted (a link goes to the only one)

    def status_link(self, ctx: TenantContext, period: Period, status: str | None) -> str | None:
        """The status page of the one program, filtered; None when there are several."""
        if len(self.program_ids) != 1:
            return None
        return _status_link(ctx, self.program_ids[0], period, status=status)


async def met_counts(ctx: TenantContext, period: Period) -> MetCounts | None:
    """None when the tenant has no pilot village in a running or closed program."""
    earlier = period.previous_year()
    now = await repo.tenant_village_statuses(ctx, period.start, period.end)
    if not now:
        return None
    then = await repo.tenant_village_statuses(ctx, earlier.start, earlier.end)

    def met(rows: list[tuple[UUID, str, VillageStatus]]) -> int:
        return sum(1 for _, _, row in rows if row.status == "met")

    programs = tuple(dict.fromkeys(program_id for program_id, _, _ in now))
    return MetCounts((len(now), len(then)), (met(now), met(then)), programs)
