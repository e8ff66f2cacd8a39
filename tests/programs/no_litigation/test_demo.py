"""伊通县's demo program: 12 pilots, every one of them met the rubric in 2022."""

from __future__ import annotations

from datetime import date

from tests.factories import in_tenant


async def test_yitong_has_twelve_pilots_with_zero_lawsuits_in_2022() -> None:
    from programs.kinds import ProgramKind
    from programs.no_litigation import repo
    from programs.tables import Program
    from tenants import repo as tenants_repo
    from wusong.core.scoped import scoped
    from wusong.demo import load_demo_data

    assert await load_demo_data() is True
    yitong = await tenants_repo.tenant_by_slug("yitong")
    async with in_tenant(yitong, writes=False) as ctx:
        program = await (
            scoped(ctx, Program)
            .select(Program.id, Program.status, Program.config_version)
            .where(Program.kind == ProgramKind.NO_LITIGATION_VILLAGE.value)
            .first()
        )
        assert (program["status"], program["config_version"]) == ("active", 2)
        y2022 = await repo.status_summary(
            ctx, program["id"], date(2022, 1, 1), date(2023, 1, 1), "2022年"
        )
        y2025 = await repo.village_statuses(ctx, program["id"], date(2025, 1, 1), date(2026, 1, 1))
    assert (y2022.pilots, y2022.met, y2022.lawsuits) == (12, 12, 0)
    assert {row.config_version for row in y2025} == {2}
    assert sum(row.lawsuits or 0 for row in y2025) == 3
