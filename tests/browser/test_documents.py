"""Documents in the browser, on a phone and a desktop: a mediator asks for the agreement PDF on
the case page and sees it go from 排队中 to 已生成 without a reload while a real ``wusong worker``
renders it, downloads it (its text names both parties), and the administrator finds it in the
county's register; the verification page, opened from the code printed on it by someone not
signed in, says it is genuine and shows masked names only. A court reviewer downloads the case
file report of the court-referred case the same way, with full ID numbers. The administrator
asks for a program's work report from the program page, follows it on the register without a
reload and downloads it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import VIEWPORTS, Journey, run_worker
from tests.factories import PASSWORD, job_queue
from tests.mediation.factories import valid_id
from tests.mediation.proceedings.conftest import (  # noqa: F401  (proc: the fixture)
    Setting,
    case_row,
    proc,
)
from tests.programs.factories import make_program
from tests.reports.documents.pdfcheck import text as pdf_text
from tests.reports.documents.test_requests import _effective_agreement

CODE = re.compile(r"[0-9A-Z]{5}-[0-9A-Z]{5}")
SEEDED: dict[str, Any] = {}


@pytest.fixture
async def seeded(client: httpx.AsyncClient, proc: Setting) -> None:  # noqa: F811
    """The court-referred case of 郭家店村 (张三 and 李四) with an effective agreement, made
    through the API; its mediator, the court reviewer and the administrator sign in."""
    await _effective_agreement(client, proc)
    async with job_queue():  # nothing queued so far is the journey's (emptied before it starts)
        pass
    SEEDED["case"] = proc.page()
    SEEDED["case_no"] = (await case_row(proc)).case_no
    studio = await make_program(proc.tenant, "mediation_studio", "金玉米调解工作室")
    SEEDED["program"] = studio.id


async def _sign_in(trip: Journey, username: str) -> None:
    page = trip.page
    await page.context.clear_cookies()
    await trip.goto("/login")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))


async def _ask_and_download(trip: Journey, kind: str, label: str, filename: str) -> bytes:
    """On the case page: ask for the document, watch its row go from queued to ready without a
    reload while a real worker renders it, then download the PDF from the row's link."""
    page = trip.page
    await page.get_by_role("button", name=f"生成{label}").click()
    await page.get_by_text(f"已提交：{label}正在生成").wait_for()
    row = page.locator(".doc-row").filter(has_text=label).first
    state = row.locator("[data-doc-label]")
    assert await state.inner_text() == "排队中"  # no worker runs yet
    await trip.shot(f"{kind}-queued")
    await page.evaluate("window.__marker = 1")  # gone if the page were loaded again

    await run_worker(trip.server)  # nothing renders until the worker runs: it was queued
    link = row.get_by_role("link", name="下载 PDF")
    await link.wait_for(timeout=30_000)  # the page polls at most every 5 s
    assert await state.inner_text() == "已生成"
    assert await page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert re.fullmatch(r"第 1 版 · \d+ 页", await row.locator("[data-doc-meta]").inner_text())
    await trip.shot(f"{kind}-ready")
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename == filename
    pdf = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert pdf.startswith(b"%PDF-")
    return pdf


async def test_mediator_gets_the_agreement_pdf_and_anyone_verifies_it(
    trip: Journey, chromium: Any
) -> None:
    page = trip.page
    await _sign_in(trip, "mediator-guo")
    await trip.goto(SEEDED["case"])
    await page.get_by_role("heading", name="文书").wait_for()
    await page.get_by_text("尚未生成文书。").wait_for()
    pdf = await _ask_and_download(
        trip, "agreement", "人民调解协议书", f"人民调解协议书{SEEDED['case_no']}.pdf"
    )
    text = pdf_text(pdf)
    assert "张三" in text
    assert "李四" in text
    assert valid_id() not in text  # a mediator's copy: ID numbers masked
    code = CODE.search(text)
    assert code is not None, "the printed verification code"

    # the administrator's register lists it
    await _sign_in(trip, "admin-a")
    await trip.goto("/t/lishu/documents")
    await page.get_by_role("heading", name="文书登记").wait_for()
    register = page.locator("table tbody tr")
    assert await register.count() == 1
    assert "人民调解协议书" in await register.first.inner_text()
    await trip.shot("register")

    # someone holding the paper, not signed in, types in its code
    width, height = VIEWPORTS[trip.viewport]
    stranger = await chromium.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        visitor = await stranger.new_page()
        visitor.on(
            "console",
            lambda m: m.type == "error" and trip.problems.append(f"console error: {m.text}"),
        )
        answer = await visitor.goto(f"{trip.server.url}/verify/?code={code[0]}")
        assert answer is not None
        assert answer.status == 200
        await visitor.get_by_role("heading", name="✔ 文书真实有效").wait_for()
        facts = await visitor.locator("dl.facts").inner_text()
        assert "梨树县" in facts
        assert "人民调解协议书" in facts
        assert "张*" in facts
        assert "李*" in facts
        assert "张三" not in facts
        assert "李四" not in facts
        await visitor.screenshot(path=str(trip.folder / f"{trip.step + 1:02d}-verified.png"))
    finally:
        await stranger.close()


async def test_court_reviewer_gets_the_case_file_with_full_id_numbers(trip: Journey) -> None:
    page = trip.page
    await _sign_in(trip, "court-a")
    await trip.goto(SEEDED["case"])
    await page.get_by_role("heading", name="文书").wait_for()
    await page.get_by_text("法院审查员生成的文书载有完整身份证号码").wait_for()
    pdf = await _ask_and_download(
        trip, "case_file", "调解案卷（法院审查）", f"诉前调解案卷{SEEDED['case_no']}.pdf"
    )
    text = pdf_text(pdf)
    assert valid_id() in text  # the applicant's, in full
    assert "张三" in text
    assert "李四" in text


async def test_administrator_gets_a_program_report(trip: Journey) -> None:
    page = trip.page
    await _sign_in(trip, "admin-a")
    await trip.goto(f"/t/lishu/programs/{SEEDED['program']}?period=2026")
    await page.get_by_role("heading", name="金玉米调解工作室").wait_for()
    form = page.locator("form[data-report-form]")
    await form.scroll_into_view_if_needed()
    assert await form.get_by_label("起始日期").input_value() == "2026-01-01"  # the page's period
    await form.get_by_label("截止日期").fill("2026-06-30")
    await form.get_by_role("button", name="生成工作报告（PDF）").click()
    await page.wait_for_url(re.compile(r"/t/lishu/documents$"))
    await page.get_by_text("已提交：项目工作报告正在生成").wait_for()
    row = page.locator("#pending .doc-row").filter(has_text="项目工作报告").first
    assert "2026-01-01 至 2026-06-30" in await row.inner_text()
    assert await row.locator("[data-doc-label]").inner_text() == "排队中"
    await trip.shot("program-report-queued")
    await page.evaluate("window.__marker = 1")  # gone if the page were loaded again

    await run_worker(trip.server)
    link = row.get_by_role("link", name="下载 PDF")
    await link.wait_for(timeout=30_000)  # the register polls like the case page
    assert await row.locator("[data-doc-label]").inner_text() == "已生成"
    assert await page.evaluate("window.__marker") == 1, "the page was reloaded"
    await trip.shot("program-report-ready")
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename == (
        "金玉米调解工作室 工作报告（2026年1月1日至2026年6月30日）.pdf"
    )
    pdf = await asyncio.to_thread(Path(await download.path()).read_bytes)
    text = pdf_text(pdf)
    assert "金玉米调解工作室工作报告" in text
    assert "报告期间：2026年1月1日至2026年6月30日" in text
