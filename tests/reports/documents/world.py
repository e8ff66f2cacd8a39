"""Documents in the walker's world: a request for the world's court-referred case (which every
reading role may read) with its stored document, a city report of each member who may ask for
one (a city report is its asker's alone), and an example of asking for one."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from reports.documents.schemas import CityReportAsk, ReportAsk
from tests.walker import World, example, seeder


@seeder
async def documents(world: World) -> None:
    from reports.documents import repo
    from reports.documents.storage import default_storage
    from tests.factories import in_tenant

    case = world.named["case"]
    pdf = b"%PDF-1.7\n% a document of the walker's world\n"
    async with in_tenant(world.tenant) as ctx:
        request = await repo.insert_request(
            ctx, {"kind": "case_file", "subject": case, "status": "rendering"}
        )
        key = f"{world.tenant.id}/{request}.pdf"
        default_storage().put(key, pdf)
        document = await repo.insert_document(
            ctx,
            {
                "request": request, "kind": "case_file", "subject": case,
                "number": "（2026）梨调字第0001号", "title": "调解案卷", "sha256": "0" * 64,
                "size": len(pdf), "pages": 1, "storage_key": key,
                "token_hash": uuid4().hex * 2, "short_code": uuid4().hex[:10].upper(),
            },
        )  # fmt: skip
        await repo.finish_request(ctx, request, 0, {"status": "ready", "document": document})
    world.add_target("report_requests", request)
    world.add_target("documents", document)
    for role in ("admin", "viewer"):
        member = world.members[role]
        request, document = await _stored(world, "city", member.user_id, member.user_id)
        world.add_target("report_requests:city", request, role)
        world.add_target("documents:city", document, role)
        if role == "admin":  # the others are turned away before any row is looked at
            world.add_target("report_requests:city", request)
            world.add_target("documents:city", document)


async def _stored(world: World, kind: str, subject: Any, asker: Any) -> tuple[Any, Any]:
    """A ready request of ``kind`` with its stored document (a report over January 2026)."""
    from datetime import date

    from reports.documents import repo
    from reports.documents.storage import default_storage
    from tests.factories import in_tenant

    pdf = b"%PDF-1.7\n% a report of the walker's world\n"
    period = {"period_from": date(2026, 1, 1), "period_to": date(2026, 1, 31)}
    async with in_tenant(world.tenant) as ctx:
        request = await repo.insert_request(
            ctx,
            {"kind": kind, "subject": subject, "status": "rendering", "requested_by": asker,
             **period},
        )  # fmt: skip
        key = f"{world.tenant.id}/{request}.pdf"
        default_storage().put(key, pdf)
        document = await repo.insert_document(
            ctx,
            {
                "request": request, "kind": kind, "subject": subject, "number": "概况报告",
                "title": "全市概况报告", "sha256": "0" * 64, "size": len(pdf), "pages": 1,
                "storage_key": key, "token_hash": uuid4().hex * 2,
                "short_code": uuid4().hex[:10].upper(), **period,
            },
        )  # fmt: skip
        await repo.finish_request(ctx, request, 0, {"status": "ready", "document": document})
    return request, document


@example(ReportAsk)
def ask(world: World) -> dict[str, Any]:
    return {"kind": "case_file", "subject_id": str(world.named["case"])}


@example(CityReportAsk)
def ask_city(world: World) -> dict[str, Any]:
    return {"period_from": "2026-01-01", "period_to": "2026-06-30"}
