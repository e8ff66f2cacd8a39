"""Documents in the walker's world: a request for the world's court-referred case (which every
reading role may read) with its stored document, and an example of asking for one."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from reports.documents.schemas import ReportAsk
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


@example(ReportAsk)
def ask(world: World) -> dict[str, Any]:
    return {"kind": "case_file", "subject_id": str(world.named["case"])}
