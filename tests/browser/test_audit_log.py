"""The audit log on a desktop and a phone: with more than nine entries (two-digit numbers), every
entry has the same layout. On a 390 px phone the operator's name used to jump from the first line
to the second from entry #10 on, because the wider number pushed it off the first line."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, make_area, make_member, make_tenant

# Each row: how far below the row's top the operator's name and the action start.
ROW_LAYOUT = """
() => [...document.querySelectorAll("table.audit-table tbody tr")].map((row) => {
  const top = row.getBoundingClientRect().top;
  const at = (cls) => Math.round(row.querySelector(cls).getBoundingClientRect().top - top);
  return {seq: row.querySelector(".audit-seq").textContent.trim(),
          actor: at(".audit-actor"), action: at(".audit-action"), time: at(".audit-time")};
})
"""


@pytest.fixture
async def seeded() -> None:
    tenant = await make_tenant(TENANT_A)
    await make_member(tenant, "admin-a", "admin")
    for n in range(12):  # with the tenant and the user: entries #1 to #14
        await make_area(tenant, "township", f"第{n + 1}镇", f"220322{101 + n:03d}000")


async def test_audit_log_rows_keep_one_layout(trip: Journey) -> None:
    page = trip.page
    await trip.goto("/login")
    await page.get_by_label("用户名").fill("admin-a")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))
    await trip.nav("审计日志")
    await page.locator("table.audit-table tbody tr").first.wait_for()
    await trip.shot("audit-log")
    await page.locator("table.audit-table tbody tr").nth(6).scroll_into_view_if_needed()
    await trip.shot("audit-log-entries-10-and-9")
    rows = await page.evaluate(ROW_LAYOUT)
    seqs = {row["seq"] for row in rows}
    assert {"1", "9", "10", "14"} <= seqs, seqs
    layouts = {(row["actor"], row["action"], row["time"]) for row in rows}
    assert len(layouts) == 1, rows  # one layout for #1 … #9 and #10 …
    if trip.viewport == "phone":
        actor, action, time = layouts.pop()
        assert actor > time  # who did it starts the second line, under the number and time
        assert action == actor
