"""The proceedings pages on a phone or a desktop: session, outcome, agreement (draft, edit,
signatures, correction) and follow-up forms, and the case page's section; free text is shown
as text."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import httpx
from litestar import Litestar

from tests.factories import Browser, in_tenant
from tests.mediation.proceedings.conftest import Setting, case_row, counts
from wusong.core.clock import local_today
from wusong.core.tenancy import Role

XSS = '<script>alert("x")</script>'


async def _mediator(client: httpx.AsyncClient) -> Browser:
    browser = Browser(client)
    assert (await browser.login("mediator-guo")).status_code == 200
    return browser


async def _post(browser: Browser, url: str, data: dict[str, str] | None = None) -> Any:
    """Post a form and stay on the answer (the case page itself belongs to the core)."""
    return await browser.post(url, data, follow_redirects=False)


def _location(response: Any) -> str:
    assert response.status_code == 303, response.text[:500]
    return str(response.headers["location"])


async def test_session_and_follow_up_forms(client: httpx.AsyncClient, proc: Setting) -> None:
    browser = await _mediator(client)
    form = await browser.get(proc.page("/sessions/new"))
    assert form.status_code == 200
    assert 'name="held_on"' in form.text
    assert "电话" in form.text
    before = await counts(proc)
    empty = {"held_on": str(local_today()), "mode": "on_site", "place": "村部", "attendees": "",
             "record": ""}  # fmt: skip
    bad = await _post(browser, proc.page("/sessions/new"), empty)
    assert bad.status_code == 422
    assert 'href="#f-record"' in bad.text
    assert 'href="#f-attendees"' in bad.text
    assert await counts(proc) == before
    hostile = {"held_on": str(local_today()), "mode": "on_site", "place": XSS, "attendees": XSS,
               "record": XSS}  # fmt: skip
    ok = await _post(browser, proc.page("/sessions/new"), hostile)
    assert _location(ok).startswith(f"/t/lishu/cases/{proc.case_id}#session-")
    early = await browser.get(proc.page("/followups/new"))
    assert early.status_code == 409
    outsider = Browser(client)
    client.cookies.clear()
    await outsider.login("mediator-lishu")
    assert (await outsider.get(proc.page("/sessions/new"))).status_code == 403


async def test_outcome_form_with_its_version(client: httpx.AsyncClient, proc: Setting) -> None:
    browser = await _mediator(client)
    page = await browser.get(proc.page("/outcome"))
    assert page.status_code == 200
    assert 'name="version" value="1"' in page.text
    failed = await _post(browser, proc.page("/outcome"), {"outcome": "failed", "version": "1"})
    assert failed.status_code == 422
    assert "调解不成时须选择原因" in failed.text
    ok = await _post(browser, proc.page("/outcome"), {"outcome": "failed", "reason": "unreachable",
                            "note": XSS, "version": "1"})  # fmt: skip
    assert _location(ok) == f"/t/lishu/cases/{proc.case_id}"
    stale = await _post(browser, proc.page("/outcome"), {"outcome": "litigation", "version": "1"})
    assert stale.status_code == 409  # someone saved first: the form again with the new version
    assert 'name="version" value="2"' in stale.text
    case = await case_row(proc)
    assert (case.status, case.outcome_reason, case.outcome_note) == ("failed", "unreachable", XSS)


async def test_agreement_pages_from_draft_to_effective_and_correction(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    browser = await _mediator(client)
    edit_url = _location(await _post(browser, proc.page("/agreements/new")))
    assert edit_url.endswith("/edit")
    agreement_url = edit_url.removesuffix("/edit")
    form = await browser.get(edit_url)
    assert form.status_code == 200
    assert 'name="t6_obligation"' in form.text
    assert "两家因宅基地边界发生争执" in form.text
    today = str(local_today())
    contents = {"facts": XSS, "issues": XSS, "responsibilities": XSS, "agreed_on": today,
                "version": "1", "t1_obligor_id": str(proc.parties[1]), "t1_obligation": XSS,
                "t1_amount": "1200.5", "t1_way": XSS, "t1_place": XSS, "t1_deadline": today,
                "t3_obligation": "赔礼道歉", "t3_way": "当场履行"}  # fmt: skip
    before = await counts(proc)
    for field, value in (("t1_amount", "0.001"), ("t1_amount", "一千"), ("t1_amount", "-1"),
                         ("t3_deadline", "1900-01-01"), ("t3_deadline", "明天"),
                         ("t1_obligor_id", "nobody")):  # fmt: skip
        bad = await _post(browser, edit_url, {**contents, field: value})
        assert bad.status_code == 422, (field, value)
        assert f'href="#f-{field}"' in bad.text, (field, value)
    assert await counts(proc) == before
    saved = await _post(browser, edit_url, contents)
    assert _location(saved) == agreement_url
    page = await browser.get(agreement_url)
    assert page.status_code == 200
    assert XSS not in page.text
    assert page.text.count("&lt;script&gt;") >= 6
    assert "1200.50" in page.text
    assert "赔礼道歉" in page.text
    signers = [{"signer": "party", "party_id": str(p), "method": "sign"} for p in proc.parties]
    for signer in [*signers, {"signer": "mediator"}, {"signer": "seal"}]:
        response = await _post(
            browser, f"{agreement_url}/signatures", {**signer, "signed_on": today}
        )
        assert _location(response) == agreement_url
    page = await browser.get(agreement_url)
    assert "已生效" in page.text
    assert f'action="{agreement_url}/correction"' in page.text
    assert (await browser.get(edit_url)).status_code == 409
    refused = await _post(browser, edit_url, {**contents, "version": "9"})
    assert refused.status_code == 409
    correction = _location(await _post(browser, f"{agreement_url}/correction"))
    assert correction.endswith("/edit")
    assert correction != edit_url
    assert (await browser.get(correction)).status_code == 200
    # A reader sees the agreement but no buttons.
    client.cookies.clear()
    court = Browser(client)
    await court.login("court-a")
    seen = await court.get(agreement_url)
    assert seen.status_code == 200
    assert "/correction" not in seen.text
    assert (await court.get(edit_url)).status_code == 403


async def test_the_case_section_shows_everything_as_text(
    app: Litestar, client: httpx.AsyncClient, proc: Setting
) -> None:
    from mediation import repo
    from mediation.proceedings.routes import case_section

    browser = await _mediator(client)
    await _post(browser, proc.page("/sessions/new"), {"held_on": str(local_today()),
                       "mode": "phone", "attendees": XSS, "record": XSS})  # fmt: skip
    edit_url = _location(await _post(browser, proc.page("/agreements/new")))
    today = str(local_today())
    await _post(browser, edit_url, {"facts": XSS, "issues": XSS, "agreed_on": today, "version": "1",
                                  "t1_obligation": XSS, "t1_way": "当场履行"})  # fmt: skip
    agreement_url = edit_url.removesuffix("/edit")
    signers = [{"signer": "party", "party_id": str(p)} for p in proc.parties]
    for signer in [*signers, {"signer": "mediator"}, {"signer": "seal"}]:
        await _post(browser, f"{agreement_url}/signatures", {**signer, "signed_on": today})
    ok = await _post(browser, proc.page("/followups/new"), {"visited_on": today,
                            "performance": "full", "note": XSS})  # fmt: skip
    assert _location(ok).startswith(f"/t/lishu/cases/{proc.case_id}#followup-")
    settled = {"outcome": "settled", "note": XSS, "version": str((await case_row(proc)).version)}
    assert _location(await _post(browser, proc.page("/outcome"), settled))
    member = proc.members["mediator"]
    async with in_tenant(proc.tenant, writes=False) as ctx:
        ctx = replace(ctx, role=Role.MEDIATOR, user_id=member.user_id)
        case = await repo.get_case(ctx, proc.case_id)
        view = SimpleNamespace(ctx=ctx, url=lambda path: "/t/lishu" + path)
        section = await case_section(view, case)  # type: ignore[arg-type]
    assert section["can_write"]
    assert section["can_followup"]
    assert not section["can_draft"]
    template = app.template_engine.engine.get_template(  # type: ignore[union-attr]
        "mediation/proceedings/_section.html"
    )
    html = template.render(case=case, proceedings=section, csrf_input="")
    assert XSS not in html
    assert len(re.findall("&lt;script&gt;", html)) >= 6  # + the outcome's note
    # The case page's loop over its sections includes it the same way.
    looped = template.environment.from_string(
        "{% for section in sections %}{% include section.template %}{% endfor %}"
    ).render(case=case, sections=[section], csrf_input="")
    assert looped == html
    assert "全部履行" in html
    assert "已生效" in html
    assert "电话" in html
