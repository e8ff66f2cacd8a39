"""The program page, the dashboard, their exports and the API, through HTTP."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import unquote

import httpx
from openpyxl import load_workbook

from tests.factories import TENANT_B, Browser, Member, make_member, make_tenant, make_token
from tests.reports.seed import seed_studio


async def _api(client: httpx.AsyncClient, token: str, path: str) -> httpx.Response:
    return await client.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_program_page_shows_header_indicators_and_year_on_year(
    browser: Browser, admin_a: Member
) -> None:
    seeded = await seed_studio(admin_a.tenant)
    viewer = await make_member(admin_a.tenant, "viewer-a", "viewer")
    await browser.login(viewer.username)
    page = await browser.get(f"/t/lishu/programs/{seeded.studio.id}?period=2025")
    assert page.status_code == 200
    text = page.text
    for shown in ("金玉米调解工作室", "调解工作室", "运行中", "郭家店法庭", "郭家店镇", "第 1 版"):
        assert shown in text, shown
    assert 'aria-current="page">概况与指标' in text  # the tab bar
    assert "按活动类型统计" in text
    assert "按月统计" in text
    assert "按村/社区统计" in text
    assert "上年 1" in text
    assert "▲ 200.0%" in text
    assert "▼ 16.7%" in text  # post-judgment Q&A people 5 against 6
    assert "上年 0 · " in text  # guidance: last year 0, no percentage
    link = (
        f"/t/lishu/programs/{seeded.studio.id}/activities"
        "?kind=consultation&amp;from=2025-01-01&amp;to=2025-12-31"
    )
    assert link in text
    assert "export.xlsx?period=2025&amp;table=activities.by_kind" in text
    village = await browser.get(
        f"/t/lishu/programs/{seeded.studio.id}?period=2025&village={seeded.guojia}"
    )
    assert f'<option value="{seeded.guojia}" selected>郭家店村</option>' in village.text
    assert f"village={seeded.guojia}" in village.text


async def test_pages_name_a_bad_period_and_show_the_default(
    browser: Browser, admin_a: Member, tenant_b: Any
) -> None:
    from reports.periods import today

    seeded = await seed_studio(admin_a.tenant)
    foreign = await seed_studio(tenant_b, "220302")
    await browser.login(admin_a.username)
    for query, message in (
        ("period=2025-13", "期间（period）应为"),
        ("period=custom&from=2025-03-01&to=2025-02-01", "截止日期（to）不能早于起始日期"),
        ("period=custom&from=x&to=", "起始日期（from）应为日期"),
        ("village=not-a-uuid", "村/社区无效或不属于本区县"),
        (f"village={foreign.baoshan}", "村/社区无效或不属于本区县"),
        ("period=%00", "期间（period）应为"),
    ):
        for path in (f"/t/lishu/programs/{seeded.studio.id}", "/t/lishu/dashboard"):
            page = await browser.get(f"{path}?{query}")
            assert page.status_code == 200, (path, query)
            assert message in page.text, (path, query)
            assert f"当前：<strong>{today().year}年</strong>" in page.text
            assert str(foreign.baoshan) not in page.text


async def test_api_returns_typed_tables_and_422_naming_the_parameter(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    seeded = await seed_studio(admin_a.tenant)
    _, token = await make_token(admin_a)
    base = f"/api/v1/t/lishu/programs/{seeded.studio.id}/indicators"
    answer = await _api(client, token, f"{base}?period=2025-Q1&village={seeded.baoshan}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["period"] == {
        "key": "2025-Q1", "label": "2025年第一季度", "from": "2025-01-01", "to": "2025-03-31",
        "previous_from": "2024-01-01", "previous_to": "2024-03-31",
    }  # fmt: skip
    assert body["village_id"] == str(seeded.baoshan)
    by_kind = next(t for t in body["tables"] if t["key"] == "activities.by_kind")
    consultation = next(r for r in by_kind["rows"] if r[0]["value"] == "法律咨询")
    assert consultation[1] == {
        "value": 2, "previous": 1, "change": 100.0, "unit": "次",
        "link": f"/t/lishu/programs/{seeded.studio.id}/activities?kind=consultation"
        f"&from=2025-01-01&to=2025-03-31&village={seeded.baoshan}",
    }  # fmt: skip
    for query, field in (
        ("period=2025-Q7", "period"),
        ("period=custom&from=2025-01-01", "to"),
        ("period=custom&from=2025-01-40&to=2025-02-01", "from"),
        ("village=123", "village"),
    ):
        for path in (base, "/api/v1/t/lishu/dashboard"):
            bad = await _api(client, token, f"{path}?{query}")
            assert bad.status_code == 422, (path, query, bad.text)
            assert field in [e["field"] for e in bad.json()["errors"]], (path, query)
    dashboard = await _api(client, token, "/api/v1/t/lishu/dashboard?period=2025")
    assert dashboard.status_code == 200
    keys = [t["key"] for t in dashboard.json()["tables"]]
    assert keys[:3] == [
        "programs.by_kind_status", "activities.headline_records", "activities.headline_people"
    ]  # fmt: skip
    schema = (await client.get("/schema/openapi.json")).json()
    for path in (
        "/api/v1/t/{tenant}/programs/{program_id}/indicators",
        "/api/v1/t/{tenant}/dashboard",
    ):
        operation = schema["paths"][path]["get"]
        assert operation["tags"] == ["reports"]
        assert {"period", "from", "to", "village"} <= {p["name"] for p in operation["parameters"]}


def _filename(disposition: str) -> tuple[str, str]:
    fallback = re.search(r'filename="([^"]+)"', disposition)
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert fallback, disposition
    assert encoded, disposition
    assert fallback.group(1).isascii()
    return fallback.group(1), unquote(encoded.group(1))


async def test_exports_parse_back_to_the_pages_figures(
    browser: Browser, client: httpx.AsyncClient, admin_a: Member
) -> None:
    seeded = await seed_studio(admin_a.tenant)
    _, token = await make_token(admin_a)
    await browser.login(admin_a.username)
    query = f"period=2025&village={seeded.baoshan}"
    api = await _api(
        client, token, f"/api/v1/t/lishu/programs/{seeded.studio.id}/indicators?{query}"
    )
    by_kind = next(t for t in api.json()["tables"] if t["key"] == "activities.by_kind")
    base = f"/t/lishu/programs/{seeded.studio.id}/export"

    as_csv = await browser.get(f"{base}.csv?{query}&table=activities.by_kind")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel and WPS need
    fallback, name = _filename(as_csv.headers["content-disposition"])
    assert as_csv.headers["content-disposition"].startswith("attachment;")
    assert name == "金玉米调解工作室-按活动类型统计-2025年.csv"
    assert fallback == "activities.by_kind-2025.csv"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "活动类型", "次数", "次数·上年同期", "次数·同比（%）",
        "服务人次", "服务人次·上年同期", "服务人次·同比（%）",
    ]  # fmt: skip
    assert len(rows) == 1 + len(by_kind["rows"])

    as_xlsx = await browser.get(f"{base}.xlsx?{query}&table=activities.by_kind")
    assert as_xlsx.status_code == 200
    assert as_xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert _filename(as_xlsx.headers["content-disposition"])[1].endswith("2025年.xlsx")
    book = load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    sheet = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert sheet[0] == rows[0]
    about = dict(r for r in book["说明"].iter_rows(values_only=True))
    assert about["期间"] == "2025年"
    assert about["村/社区"] == "宝山村"

    for api_row, csv_row, xlsx_row in zip(by_kind["rows"], rows[1:], sheet[1:], strict=True):
        label, records, people = api_row

        def expected(cell: dict[str, Any]) -> list[Any]:
            change = "" if cell["change"] is None else cell["change"]
            return [cell["value"], cell["previous"], change]

        want = [label["value"], *expected(records), *expected(people)]
        assert xlsx_row == [None if v == "" else v for v in want]
        assert csv_row == [str(v) for v in want]
    # the page shows the same figures
    page = await browser.get(f"/t/lishu/programs/{seeded.studio.id}?{query}")
    assert '上年 1 · <span class="yoy-up" title="同比增长">▲ 100.0%' in page.text

    dashboard = await browser.get(
        "/t/lishu/dashboard/export.csv?period=2025&table=activities.headline_records"
    )
    assert dashboard.status_code == 200
    lines = list(csv.reader(io.StringIO(dashboard.content.decode("utf-8-sig"))))
    assert lines[0][0] == "项目"
    assert lines[0][1] == "法律咨询"
    studio = next(line for line in lines if line[0].startswith("金玉米调解工作室"))
    assert studio[1:4] == ["3", "1", "200.0"]
    everything = await browser.get("/t/lishu/dashboard/export.xlsx?period=2025")
    assert everything.status_code == 200
    sheets = load_workbook(io.BytesIO(everything.content), read_only=True).sheetnames
    assert sheets[:3] == [
        "试点项目（按类型与状态）",
        "法律咨询、诉讼指导与判后答疑（次数）",
        "法律咨询、诉讼指导与判后答疑（服务人次）",
    ]
    assert sheets[-1] == "说明"
    assert "全部指标-2025年.xlsx" in unquote(everything.headers["content-disposition"])
    unknown = await browser.get(f"{base}.csv?{query}&table=nope")
    assert unknown.status_code == 422
    bad = await browser.get(f"{base}.xlsx?period=2025-99&table=activities.by_kind")
    assert bad.status_code == 422


async def test_dashboard_page_counts_only_its_own_tenant(browser: Browser, admin_a: Member) -> None:
    await seed_studio(admin_a.tenant)
    tenant_b = await make_tenant(TENANT_B)
    await make_member(tenant_b, "admin-b", "admin")
    await browser.login("admin-b")
    page = await browser.get("/t/tiexi/dashboard?period=2025")
    assert page.status_code == 200
    assert "金玉米调解工作室" not in page.text
    assert "还没有可统计的项目记录" in page.text
    assert 'aria-current="page">数据看板' in page.text


async def test_figures_are_kept_until_the_tenant_writes_then_computed_afresh(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    """Between two reads with no write the page's tables come from the process's cache; an
    activity logged through the API (an audited write) is counted on the very next read."""
    from datetime import date

    from reports.indicators.cache import _KEPT

    seeded = await seed_studio(admin_a.tenant)
    _, token = await make_token(admin_a)
    url = f"/api/v1/t/lishu/programs/{seeded.studio.id}/indicators?period=2025"

    def consultations(body: Any) -> Any:
        table = next(t for t in body["tables"] if t["key"] == "activities.by_kind")
        row = next(r for r in table["rows"] if r[0]["value"] == "法律咨询")
        return row[1]["value"]

    first = await _api(client, token, url)
    kept = len(_KEPT)
    again = await _api(client, token, url)
    assert consultations(first.json()) == consultations(again.json()) == 3
    assert len(_KEPT) == kept  # the second read computed nothing new
    logged = await client.post(
        f"/api/v1/t/lishu/programs/{seeded.studio.id}/activities",
        json={
            "kind": "consultation",
            "occurred_on": str(date(2025, 6, 1)),
            "people": 2,
            "area_id": str(seeded.guojia),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert logged.status_code == 201, logged.text
    assert consultations((await _api(client, token, url)).json()) == 4
