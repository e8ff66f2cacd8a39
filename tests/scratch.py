"""A test-only domain: tenant routes that exercise the kernel the way later domains will.

``scratch_app()`` is the real application plus this domain, wired by the same create_app().
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Redirect

from wusong.core.db import after_commit
from wusong.core.domain import Domain
from wusong.core.errors import Invalid
from wusong.core.tenancy import EVERYONE, TenantContext
from wusong.core.views import FormPage, ViewDep
from wusong.core.web import Ctx, Form, access, redirect

# What after-commit callbacks saw, in order (a test reads and clears it).
COMMITTED: list[str] = []


class Note(msgspec.Struct):
    text: str


async def write_then_refuse(ctx: TenantContext, note: Note) -> None:
    """A use case that has written (an audit event) before it finds the input invalid."""
    from tenants import audit

    await audit.record(ctx, "scratch.reveal", "scratch", "note", {"text": note.text})
    raise Invalid({"text": "不行"})


NOTE_BUTTON = FormPage(Note, back=lambda view: view.url("/"))


class ScratchPages(Controller):
    path = "/scratch"

    @get("/reveal", name="scratch.reveal", opt=access(EVERYONE, writes=True))
    async def reveal(self, ctx: Ctx) -> str:
        """A read that records an audit event, like revealing an ID number will."""
        from tenants import audit

        await audit.record(ctx, "scratch.reveal", "scratch", "x", {"field": "id_number"})
        return "revealed"

    @get("/sneaky", name="scratch.sneaky", opt=access(EVERYONE))
    async def sneaky(self, ctx: Ctx) -> str:
        """A read that writes without declaring it."""
        from tenants import audit

        await audit.record(ctx, "scratch.reveal", "scratch", "x")
        return "wrote?"

    @get("/sneaky-sql", name="scratch.sneaky_sql", opt=access(EVERYONE))
    async def sneaky_sql(self, ctx: Ctx) -> str:
        """The same, in raw SQL, past every helper: the database itself refuses."""
        from tenants.tables import Area

        await Area.raw("UPDATE areas SET name = {} WHERE tenant = {}", "改", ctx.tenant_id)
        return "wrote?"

    @post("/note", name="scratch.note", opt=access(EVERYONE, writes=True, form=NOTE_BUTTON))
    async def note(self, view: ViewDep, data: Form) -> Redirect:
        await view.submit(data, write_then_refuse)
        return redirect(view.url("/"), "已保存")  # pragma: no cover - the use case refuses

    @post("/after-commit", name="scratch.after_commit", opt=access(EVERYONE, writes=True))
    async def with_callback(self, ctx: Ctx, fail: FromQuery[bool] = False) -> Any:
        from tenants import audit

        await audit.record(ctx, "scratch.reveal", "scratch", "cb")
        after_commit(lambda: COMMITTED.append("first"))
        after_commit(lambda: COMMITTED.append("second"))
        if fail:
            raise Invalid({"fail": "失败"})
        return {"ok": True}

    @post("/duplicate", name="scratch.duplicate", opt=access(EVERYONE, writes=True))
    async def duplicate(self, ctx: Ctx) -> str:
        """Insert a division code the tenant already has: a unique violation."""
        from tenants.tables import Area

        row = await Area.select(Area.division_code).where(Area.tenant == ctx.tenant_id).first()
        await Area.raw(
            "INSERT INTO areas (id, tenant, kind, name, division_code) "
            "VALUES ({}, {}, 'township', '重复', {})",
            "00000000-0000-4000-8000-000000000001",
            ctx.tenant_id,
            row["division_code"] if row else "",
        )
        return "inserted"

    @post("/not-null", name="scratch.not_null", opt=access(EVERYONE, writes=True))
    async def not_null(self, ctx: Ctx) -> str:
        """A bug: a NOT NULL column left empty."""
        from tenants.tables import Area

        await Area.raw(
            "INSERT INTO areas (id, tenant, kind, name, division_code) "
            "VALUES ({}, {}, NULL, 'x', '220322199000')",
            "00000000-0000-4000-8000-000000000002",
            ctx.tenant_id,
        )
        return "inserted"

    @get("/typo", name="scratch.typo", opt=access(EVERYONE))
    async def typo(self, ctx: Ctx) -> str:
        """A bug: SQL naming a table that does not exist."""
        from tenants.tables import Area

        await Area.raw("SELECT * FROM aeras")
        return "selected"

    @get("/terminate", name="scratch.terminate", opt=access(EVERYONE))
    async def terminate(self, ctx: Ctx) -> str:
        """PostgreSQL: the connection this request holds is terminated under it."""
        from tenants.tables import Area

        await Area.raw("SELECT pg_terminate_backend(pg_backend_pid())")
        return "terminated"


SCRATCH = Domain(
    name="scratch",
    pages=[ScratchPages],
    audit_actions={"scratch.reveal": "测试：查看身份证号"},
)


def scratch_app() -> Any:
    from wusong.app import create_app
    from wusong.domains import DOMAINS

    return create_app(domains=[*DOMAINS, SCRATCH])


@pytest.fixture
async def scratch(admin_a: Any) -> AsyncIterator[Any]:
    """The scratch app, signed in as tenant A's admin ``admin-a``.

    Started in a fixture: Litestar's logging set-up replaces the root handlers when an app
    starts, and pytest re-attaches its log capture only between setup and call.
    """
    from tests.factories import Browser, app_client

    async with app_client(scratch_app()) as http:
        browser = Browser(http)
        assert (await browser.login("admin-a")).status_code == 200
        yield browser
