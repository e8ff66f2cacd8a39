"""铁西区's demo program, and the indicators computed from it by grouped queries."""

from __future__ import annotations

from datetime import date

from tests.factories import in_tenant


async def test_tiexi_demo_rates_104_complexes_with_90_inspectors_and_indicators_link_back() -> None:
    from programs import repo as programs_repo
    from programs.red_property import repo
    from programs.red_property.tables import Complaint, PropertyComplex
    from reports.indicators import red_property
    from reports.indicators.base import Period
    from tenants import repo as tenants_repo
    from wusong.core.scoped import scoped
    from wusong.demo import load_demo_data

    assert await load_demo_data() is True
    tenant = await tenants_repo.tenant_by_slug("tiexi")
    async with in_tenant(tenant, writes=False) as ctx:
        (program,) = [
            p for p in await programs_repo.list_program_rows(ctx) if p.kind == "red_property"
        ]
        assert program.status == "active"
        assert program.config_version == 2
        assert await scoped(ctx, PropertyComplex).count() == 104
        members = await tenants_repo.list_members(ctx, role="inspector")
        assert len(members) == 90
        unrated = (
            await scoped(ctx, PropertyComplex).count().where(PropertyComplex.rated_on.is_null())
        )
        assert unrated == 0

        async def collective(year: int) -> int:
            return await (
                scoped(ctx, Complaint)
                .count()
                .where(
                    (Complaint.collective == True)  # noqa: E712 - a Piccolo condition
                    & (Complaint.received_on >= date(year, 1, 1))
                    & (Complaint.received_on < date(year + 1, 1, 1))
                )
            )

        assert await collective(2026) <= await collective(2023) * 0.15

        year = Period(date(2026, 1, 1), date(2027, 1, 1), "2026年", "2026")
        tables = {t.key: t for t in await red_property.program_tables(ctx, program, year)}
        stars = tables["red_property.stars"]
        counts = {row[0].value: row[1].value for row in stars.rows}
        assert sum(counts.values()) == 104
        assert counts["5星"] + counts["4星"] + counts["3星"] > 52  # most are rated 3 stars or more
        assert stars.rows[0][1].link == f"/t/tiexi/programs/{program.id}/complexes?stars=5"
        assert stars.rows[0][1].previous is not None
        complaints = tables["red_property.complaints"]
        total = complaints.rows[-1]
        assert total[2].value < total[2].previous  # collective complaints fell year on year
        assert "collective=1" in (total[2].link or "")
        inspections = tables["red_property.inspections"]
        listed = await repo.list_inspections(
            ctx, program.id, repo.InspectionFilter(start=year.start, end=year.end), limit=1000
        )
        assert inspections.rows[0][1].value == len(listed)

        dashboard = {t.key: t for t in await red_property.tenant_tables(ctx, year)}
        assert sum(c.value for c in dashboard["red_property.stars"].rows[0][1:]) == 104
        assert dashboard["red_property.complaints"].rows[0][1].value == 104
