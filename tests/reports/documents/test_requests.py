"""A case's PDF asked for through the API, rendered by a real arq worker in burst mode into one
stored document, downloaded, regenerated as a new version, and verified on the public page."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any
from urllib.parse import unquote

import httpx
import pypdf

from tests.factories import (
    TENANT_B,
    Browser,
    in_tenant,
    job_queue,
    make_member,
    make_tenant,
    make_token,
)
from tests.mediation.proceedings.conftest import Setting, complete_agreement, sign_all

REPORTS = "/api/v1/t/lishu/reports"
CODE = re.compile(r"\b([0-9A-Z]{5}-[0-9A-Z]{5})\b")


async def _effective_agreement(client: httpx.AsyncClient, proc: Setting) -> None:
    draft = await client.post(
        proc.api("/agreements"), json=complete_agreement(proc), headers=proc.auth()
    )
    assert draft.status_code == 201, draft.text
    await sign_all(client, proc, draft.json()["id"])


async def _ask(client: httpx.AsyncClient, proc: Setting, kind: str, who: str = "mediator") -> Any:
    response = await client.post(
        REPORTS, json={"kind": kind, "subject_id": str(proc.case_id)}, headers=proc.auth(who)
    )
    assert response.status_code == 202, response.text
    return response.json()


async def _work() -> Any:
    from tests.factories import run_worker_burst

    return await run_worker_burst()


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


async def _documents(proc: Setting) -> int:
    from reports.tables import Document
    from wusong.core.scoped import scoped

    async with in_tenant(proc.tenant, writes=False) as ctx:
        return int(await scoped(ctx, Document).count())


async def test_the_agreement_is_rendered_once_stored_and_downloadable(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    await _effective_agreement(client, proc)
    async with job_queue():
        asked = await _ask(client, proc, "agreement")
        assert asked["status"] == "queued"
        assert asked["kind_label"] == "人民调解协议书"
        worker = await _work()
    assert worker.jobs_failed == 0
    status = await client.get(f"{REPORTS}/{asked['id']}", headers=proc.auth())
    body = status.json()
    assert body["status"] == "ready", body
    document = body["document"]
    assert document["doc_version"] == 1
    assert document["full_ids"] is False
    assert "storage_key" not in document  # where the bytes live stays inside
    pdf = await client.get(f"{REPORTS}/{asked['id']}/document", headers=proc.auth())
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    disposition = pdf.headers["content-disposition"]
    assert "人民调解协议书" in unquote(disposition.split("filename*=UTF-8''")[1])
    assert hashlib.sha256(pdf.content).hexdigest() == document["sha256"]
    assert len(pdf.content) == document["size"]
    text = _text(pdf.content)
    assert "张三" in text
    assert "李四" in text
    assert "赔偿青苗损失" in text
    assert "220322198001010019" not in text  # a mediator's copy: ID numbers masked
    assert CODE.search(text), "the printed verification code"
    # the job again (a duplicate delivery, a sweep): nothing more is stored
    from reports.documents import services
    from wusong.core import jobs

    async with job_queue():
        queued = await jobs.enqueue(services.JOB, str(proc.tenant.id), asked["id"], job_id="again")
        assert queued
        again = await _work()
    assert again.jobs_failed == 0
    assert await _documents(proc) == 1
    after = await client.get(f"{REPORTS}/{asked['id']}", headers=proc.auth())
    assert after.json()["status"] == "ready"
    assert after.json()["document"]["id"] == document["id"]


async def test_the_verification_page_finds_the_printed_code_and_says_it_is_genuine(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    await _effective_agreement(client, proc)
    async with job_queue():
        asked = await _ask(client, proc, "agreement")
        await _work()
    pdf = await client.get(f"{REPORTS}/{asked['id']}/document", headers=proc.auth())
    code = CODE.search(_text(pdf.content))
    assert code is not None
    client.cookies.clear()
    page = await client.get("/verify/", params={"code": code[1].lower()})  # typed in lower case
    assert page.status_code == 200, page.text
    assert "文书真实有效" in page.text
    assert "梨树县" in page.text
    assert hashlib.sha256(pdf.content).hexdigest() in page.text
    assert "张*" in page.text
    assert "张三" not in page.text
    unknown = await client.get("/verify/", params={"code": "00000-00000"})
    assert unknown.status_code == 404
    assert "未找到" in unknown.text
    guessed = await client.get("/verify/" + "A" * 22)
    assert guessed.status_code == 404


async def test_the_31st_verification_in_a_minute_is_429(client: httpx.AsyncClient) -> None:
    from reports.documents import routes

    routes._tries.clear()
    answers = [
        (await client.get("/verify/", params={"code": f"{i:05d}-00000"})).status_code
        for i in range(31)
    ]
    assert answers[:30] == [404] * 30
    assert answers[30] == 429


async def test_regenerating_makes_a_new_version_and_the_old_one_says_so(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    await _effective_agreement(client, proc)
    async with job_queue():
        first = await _ask(client, proc, "agreement")
        await _work()
        second = await _ask(client, proc, "agreement")
        await _work()
    one = (await client.get(f"{REPORTS}/{first['id']}", headers=proc.auth())).json()["document"]
    two = (await client.get(f"{REPORTS}/{second['id']}", headers=proc.auth())).json()["document"]
    assert (one["doc_version"], two["doc_version"]) == (1, 2)
    assert two["supersedes"] == one["id"]
    old = await client.get(f"{REPORTS}/documents/{one['id']}", headers=proc.auth())
    assert old.status_code == 200  # never overwritten: the old version stays downloadable
    code = CODE.search(_text(old.content))
    assert code is not None
    page = await client.get("/verify/", params={"code": code[1]})
    assert "已被第 2 版取代" in page.text


async def test_the_court_reviewers_case_file_carries_full_id_numbers(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    await _effective_agreement(client, proc)
    async with job_queue():
        asked = await _ask(client, proc, "case_file", who="court")
        await _work()
    pdf = await client.get(f"{REPORTS}/{asked['id']}/document", headers=proc.auth("court"))
    assert pdf.status_code == 200, pdf.text
    assert "220322198001010019" in _text(pdf.content)


async def test_the_court_copy_is_the_court_reviewers_alone_and_each_download_is_logged(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    """Full ID numbers are for court reviewers only: the mediator and the administrator, who
    read the case and its other documents, never see the court's copy (404, not listed, no
    download in the register), and their own case file is a version chain of its own."""
    await _effective_agreement(client, proc)
    async with job_queue():
        court = await _ask(client, proc, "case_file", who="court")
        await _work()
        mine = await _ask(client, proc, "case_file", who="mediator")
        await _work()
    court_doc = (await client.get(f"{REPORTS}/{court['id']}", headers=proc.auth("court"))).json()
    court_doc = court_doc["document"]
    for who in ("mediator", "admin"):
        for url in (
            f"{REPORTS}/{court['id']}",
            f"{REPORTS}/{court['id']}/document",
            f"{REPORTS}/documents/{court_doc['id']}",
        ):
            assert (await client.get(url, headers=proc.auth(who))).status_code == 404, (who, url)
    own = (await client.get(f"{REPORTS}/{mine['id']}", headers=proc.auth("mediator"))).json()
    assert own["document"]["doc_version"] == 1  # not a new version of the court's copy
    assert own["document"]["supersedes"] is None
    mediator_pdf = await client.get(f"{REPORTS}/{mine['id']}/document", headers=proc.auth())
    assert "220322198001010019" not in _text(mediator_pdf.content)
    # the pages: the case page lists only the mediator's, the register offers no download
    browser = Browser(client)
    await browser.login("mediator-guo")
    case_page = await browser.get(proc.page())
    assert mine["id"] in case_page.text
    assert court["id"] not in case_page.text
    assert (await browser.get(f"/t/lishu/documents/{court_doc['id']}/download")).status_code == 404
    client.cookies.clear()
    await browser.login(proc.members["admin"].username)
    register = await browser.get("/t/lishu/documents")
    assert "仅法院审查员" in register.text
    assert f"/documents/{court_doc['id']}/download" not in register.text
    # the court reviewer downloads it: an audit event each time, masked copies none
    before = await _events(proc, "document.download")
    for _ in range(2):
        got = await client.get(f"{REPORTS}/documents/{court_doc['id']}", headers=proc.auth("court"))
        assert got.status_code == 200
    await client.get(f"{REPORTS}/{mine['id']}/document", headers=proc.auth("mediator"))
    assert await _events(proc, "document.download") == before + 2


async def _events(proc: Setting, action: str) -> int:
    from tenants.tables import AuditEvent
    from wusong.core.scoped import scoped

    async with in_tenant(proc.tenant, writes=False) as ctx:
        return int(await scoped(ctx, AuditEvent).count().where(AuditEvent.action == action))


async def test_a_lost_queue_is_swept_and_nothing_is_lost(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    """Redis restarted without its data (it keeps nothing on disk): the request is still queued
    in the database, and the sweep queues it again."""
    from datetime import UTC, datetime, timedelta

    from reports.documents import jobs as document_jobs
    from reports.tables import ReportRequest
    from wusong.core.scoped import scoped

    await _effective_agreement(client, proc)
    async with job_queue() as redis:
        asked = await _ask(client, proc, "agreement")
        await redis.flushdb()  # the job is gone
        assert (await _work()).jobs_complete == 0
        async with in_tenant(proc.tenant) as ctx:  # asked a while ago
            await scoped(ctx, ReportRequest).update(
                {ReportRequest.updated_at: datetime.now(UTC) - timedelta(minutes=5)}
            )
        swept = await document_jobs.sweep_document_requests({})
        assert swept == {"stale": 1, "queued": 1, "failed": 0}
        await _work()
    status = (await client.get(f"{REPORTS}/{asked['id']}", headers=proc.auth())).json()
    assert status["status"] == "ready"
    assert await _documents(proc) == 1


async def test_bad_asks_are_4xx_and_write_nothing(client: httpx.AsyncClient, proc: Setting) -> None:
    from reports.tables import ReportRequest
    from wusong.core.scoped import scoped

    bad_kind = await client.post(
        REPORTS, json={"kind": "nonsense", "subject_id": str(proc.case_id)}, headers=proc.auth()
    )
    assert bad_kind.status_code == 422
    assert "kind" in bad_kind.text
    no_agreement = await client.post(
        REPORTS, json={"kind": "agreement", "subject_id": str(proc.case_id)}, headers=proc.auth()
    )
    assert no_agreement.status_code == 409
    assert "调解协议" in no_agreement.json()["detail"]
    # another county's member: the case does not exist for them
    tenant_b = await make_tenant(TENANT_B)
    member_b = await make_member(tenant_b, "med-b", "mediator")
    token_b = (await make_token(member_b))[1]
    foreign = await client.post(
        "/api/v1/t/tiexi/reports",
        json={"kind": "agreement", "subject_id": str(proc.case_id)},
        headers={"Authorization": f"Bearer {token_b}"},
    )
    assert foreign.status_code == 404
    async with in_tenant(proc.tenant, writes=False) as ctx:
        assert int(await scoped(ctx, ReportRequest).count()) == 0


async def test_asked_while_redis_is_down_then_rendered_when_it_is_back(
    client: httpx.AsyncClient, proc: Setting, private_redis: Any
) -> None:
    """Redis stopped when the mediator asks: the request is accepted (202) and kept; when Redis
    is back, the sweep queues it and the worker makes the document."""
    from datetime import UTC, datetime, timedelta

    from reports.documents import jobs as document_jobs
    from reports.tables import ReportRequest
    from wusong.core.scoped import scoped

    await _effective_agreement(client, proc)
    private_redis.stop()
    try:
        asked = await _ask(client, proc, "agreement")
        assert asked["status"] == "queued"
    finally:
        private_redis.start()
    async with job_queue():
        assert (await _work()).jobs_complete == 0  # nothing reached the queue
        async with in_tenant(proc.tenant) as ctx:
            await scoped(ctx, ReportRequest).update(
                {ReportRequest.updated_at: datetime.now(UTC) - timedelta(minutes=5)}
            )
        assert (await document_jobs.sweep_document_requests({}))["queued"] == 1
        await _work()
    status = (await client.get(f"{REPORTS}/{asked['id']}", headers=proc.auth())).json()
    assert status["status"] == "ready"
    assert await _documents(proc) == 1
