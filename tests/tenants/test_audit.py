"""Every write leaves an audit event; the hash chain detects tampering; filters work."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import Browser, Member, in_tenant, make_area, make_token, wusong


async def _events(tenant: Any) -> list[dict[str, Any]]:
    from tenants.tables import AuditEvent
    from wusong.core.db import unit_of_work

    async with unit_of_work(writes=False, tenant_id=tenant.id):
        return (
            await AuditEvent.select()
            .where(AuditEvent.tenant == tenant.id)
            .order_by(AuditEvent.seq)
            .output(load_json=True)
        )


async def test_writes_are_recorded_with_masked_personal_data(
    browser: Browser, admin_a: Member
) -> None:
    await browser.login("admin-a")
    await browser.post(
        "/t/lishu/users/new",
        {
            "username": "li.med",
            "display_name": "李调解",
            "role": "mediator",
            "password": "temporary-pw-1",
        },
    )
    actions = [e["action"] for e in await _events(admin_a.tenant)]
    assert actions == ["tenant.create", "user.create", "security.sign_in", "user.create"]
    last = (await _events(admin_a.tenant))[-1]
    assert last["actor_name"] == "admin-a"
    assert "temporary-pw-1" not in str(last["diff"])
    from tenants.audit import mask_diff

    assert mask_diff({"password": "x", "nested": {"id_number": "1"}, "name": "n"}) == {
        "password": "***",
        "nested": {"id_number": "***"},
        "name": "n",
    }


@pytest.mark.tampers_audit
async def test_chain_verifies_and_tampering_is_named_by_the_cli(admin_a: Member) -> None:
    from tests.tenants.test_audit_chain import tamper

    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    await make_area(admin_a.tenant, "township", "郭家店镇", "220322101000")
    ok = await wusong("audit", "verify", "--tenant", "lishu")
    assert ok.exit_code == 0, ok.stderr
    assert "链完整" in ok.stdout
    events = await _events(admin_a.tenant)
    victim = events[2]
    await tamper("UPDATE audit_events SET actor_name = {} WHERE id = {}", "intruder", victim["id"])
    broken = await wusong("audit", "verify", "--tenant", "lishu")
    assert broken.exit_code == 1
    assert f"第 {victim['seq']} 条（id {victim['id']}）" in broken.stderr


@pytest.mark.tampers_audit
async def test_deleting_an_event_breaks_the_chain(admin_a: Member) -> None:
    from tenants import audit
    from tests.tenants.test_audit_chain import tamper

    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    await make_area(admin_a.tenant, "township", "郭家店镇", "220322101000")
    events = await _events(admin_a.tenant)
    await tamper("DELETE FROM audit_events WHERE id = {}", events[2]["id"])
    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        count, problems = await audit.verify_chain(ctx)
    assert count == len(events) - 1
    assert [(p.seq, p.event_id) for p in problems] == [(events[2]["seq"], "")]


async def test_the_log_shows_display_names_not_account_or_system_names(
    browser: Browser, admin_a: Member
) -> None:
    from dataclasses import replace

    from tenants import audit, repo, services
    from tenants.schemas import MemberCreate

    async with in_tenant(admin_a.tenant) as ctx:  # a user acting (their id is on the event)
        data = MemberCreate("li.med", "李调解", "mediator", "temporary-pw-1")
        await services.create_member(ctx, data, must_change_password=False)
        member = next(m for m in await repo.list_members(ctx) if m.username == "li.med")
        await audit.record(replace(ctx, user_id=member.user_id, actor_name="li.med"), "area.create")
        await audit.record(replace(ctx, actor_name="demo"), "area.create")
    await browser.login("admin-a")
    page = (await browser.get("/t/lishu/audit")).text
    cells = re.findall(r'class="audit-actor"[^>]*>([^<]*)<', page)
    assert "平台运维（命令行）" in cells
    assert "李调解" in cells
    assert "演示数据" in cells
    assert not {"platform", "demo", "li.med"} & set(cells)
    options = re.findall(r'<option value="([^"]*)"\s*>([^<]*)</option>', page)
    assert ("li.med", "李调解") in options
    assert ("platform", "平台运维（命令行）") in options
    home = (await browser.get("/t/lishu/")).text
    assert "李调解 · " in home
    assert "platform · " not in home
    _, secret = await make_token(admin_a)
    answer = await browser.get(
        "/api/v1/t/lishu/audit?limit=100", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200, answer.text
    shown = {row["actor_display"] for row in answer.json()["items"]}
    assert {"李调解", "平台运维（命令行）"} <= shown


async def test_audit_page_filters_by_action_and_actor(browser: Browser, admin_a: Member) -> None:
    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    await browser.login("admin-a")
    await browser.post(
        "/t/lishu/areas/new",
        {"kind": "township", "name": "郭家店镇", "division_code": "220322101000"},
    )
    everything = await browser.get("/t/lishu/audit")
    assert "共 5 条" in everything.text  # with admin-a's sign-in
    by_admin = await browser.get("/t/lishu/audit?actor=admin-a&action=area.create")
    assert "共 1 条" in by_admin.text
    assert "郭家店镇" in by_admin.text
    bad_dates = await browser.get("/t/lishu/audit?since=notadate&until=2026-99-99&page=abc")
    assert bad_dates.status_code == 200


async def test_every_field_of_the_log_has_a_chinese_label(
    browser: Browser, admin_a: Member
) -> None:
    """Security events, token events and edits: no diff key reaches the page as a raw code."""
    from tenants import services
    from tenants.schemas import TokenCreate
    from wusong.domains import catalog

    area = await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    await browser.post("/login", {"username": "admin-a", "password": "wrong-guess"})
    await browser.login("admin-a")
    await browser.post(f"/t/lishu/areas/{area}/edit", {"name": "梨树镇二", "version": "1"})
    async with in_tenant(admin_a.tenant, writes=True) as ctx:
        created = await services.create_token(ctx, admin_a.user_id, TokenCreate("巡检脚本", 30))
        await services.revoke_token(ctx, admin_a.user_id, created.id)

    def keys(diff: Any) -> set[str]:
        found: set[str] = set()
        if isinstance(diff, dict):
            for key, value in diff.items():
                found |= {key} | (keys(value) if key in {"before", "after"} else set())
        return found

    events = await _events(admin_a.tenant)
    actions = {e["action"] for e in events}
    assert {"security.sign_in_failed", "security.sign_in", "security.token_create"} <= actions
    used = set().union(*(keys(e["diff"]) for e in events))
    labels = catalog().audit_fields
    assert used - set(labels) == set()
    page = await browser.get("/t/lishu/audit")
    for key in used:
        assert f"<dt>{key}</dt>" not in page.text
    assert "有效期至" in page.text
    assert "+00:00" not in page.text  # times in the diff are local, like every time shown
