"""Court-side pages: the mediator's extension, return and confirmation forms; the court
reviewer's queue, case file with the audited reveal, and decision form; the case page's court
section."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from litestar import Litestar

from tests.factories import Browser, in_tenant
from tests.mediation.court.conftest import Court, case_events
from tests.mediation.court.factories import ID_NUMBERS, make_court_case, parties_of
from tests.mediation.court.test_confirmation import settled_case
from wusong.core.clock import local_today

BASE = "/t/lishu"


async def post(browser: Browser, path: str, data: dict[str, Any]) -> Any:
    return await browser.post(path, data, follow_redirects=False)


async def test_the_mediator_extends_and_returns_through_the_forms(
    browser: Browser, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village, procedure="simplified")
    await browser.login("mediator-a")
    form = await browser.get(f"{BASE}/cases/{case.id}/referral/extend")
    assert form.status_code == 200
    assert "立案后委派调解（简易程序）" in form.text
    assert f"至 {case.due_on.isoformat()}" in form.text
    bad = await post(
        browser,
        f"{BASE}/cases/{case.id}/referral/extend",
        {
            "consented_on": local_today().isoformat(),
            "note": "<script>x</script>\u202e",
            "version": "1",
        },
    )
    assert bad.status_code == 422
    assert 'href="#f-note"' in bad.text
    assert "<script>x</script>" not in bad.text
    done = await post(
        browser,
        f"{BASE}/cases/{case.id}/referral/extend",
        {"consented_on": local_today().isoformat(), "note": "双方签字同意", "version": "1"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{BASE}/cases/{case.id}#court"
    stale = await post(
        browser,
        f"{BASE}/cases/{case.id}/return",
        {"failure_reason": "no_agreement", "version": "1"},
    )
    assert stale.status_code == 409  # the form again, with the case's new version
    assert 'name="version" value="2"' in stale.text
    again = await browser.get(f"{BASE}/cases/{case.id}/referral/extend")
    assert "只能延长一次" in again.text or "不能再延长" in again.text
    returned = await post(
        browser,
        f"{BASE}/cases/{case.id}/return",
        {
            "failure_reason": "no_agreement",
            "undisputed_facts": "双方确认借款 5 万元",
            "parties_consented": "true",
            "version": "2",
        },
    )
    assert returned.status_code == 303
    page = await browser.get(f"{BASE}/cases/{case.id}/return")
    assert "已于" in page.text
    assert "退回法院" in page.text


async def test_the_confirmation_form_warns_when_the_window_is_closing(
    browser: Browser, court: Court
) -> None:
    from mediation.deadlines import period_end

    today = local_today()
    days = next(
        n
        for n in range(40)
        if 0 <= (period_end(today - timedelta(days=n), 30).day - today).days <= 5
    )
    case = await settled_case(court, effective_days_ago=days)
    await browser.login("mediator-a")
    form = await browser.get(f"{BASE}/cases/{case.id}/confirmation")
    assert form.status_code == 200
    assert "即将届满" in form.text
    assert 'value="梨树县人民法院"' in form.text  # the referring court, proposed
    saved = await post(
        browser,
        f"{BASE}/cases/{case.id}/confirmation",
        {"court": "梨树县人民法院", "applied_on": today.isoformat(), "version": "1"},
    )
    assert saved.status_code == 303
    after = await browser.get(f"{BASE}/cases/{case.id}/confirmation")
    assert "已申请，待受理" in after.text
    assert "不能重复申请" in after.text


async def test_the_reviewer_works_through_the_queue(browser: Browser, court: Court) -> None:
    case = await settled_case(court)
    async with in_tenant(court.tenant) as ctx:
        from mediation.court import services
        from mediation.court.schemas import ConfirmationApply

        await services.apply_for_confirmation(ctx, case.id, ConfirmationApply("梨树县人民法院"), 1)
    party = (await parties_of(court.tenant, case.id))[0]
    await browser.login("court-a")
    home = await browser.get(f"{BASE}/")
    assert "法院审查" in home.text
    queue = await browser.get(f"{BASE}/court/queue")
    assert case.case_no in queue.text
    assert "受理期限" in queue.text
    file = await browser.get(f"{BASE}/court/cases/{case.id}")
    assert "110***********002X" in file.text
    assert ID_NUMBERS[0] not in file.text
    assert "显示完整号码" in file.text
    assert "13800000000" in file.text  # the court sees the full mobile number
    revealed = await browser.get(f"{BASE}/court/cases/{case.id}/parties/{party.id}/id-number")
    assert revealed.status_code == 200
    assert ID_NUMBERS[0] in revealed.text
    assert ID_NUMBERS[1] not in revealed.text
    assert "security.id_reveal" in [e["action"] for e in await case_events(court.tenant, case.id)]
    form = await browser.get(f"{BASE}/court/cases/{case.id}/decide")
    assert form.status_code == 200
    early = await post(
        browser, f"{BASE}/court/cases/{case.id}/decide", {"decision": "confirmed", "version": "2"}
    )
    assert early.status_code == 409
    assert "须先受理" in early.text
    wrong = await post(
        browser,
        f"{BASE}/court/cases/{case.id}/decide",
        {"decision": "accepted", "court_case_no": "123", "version": "2"},
    )
    assert wrong.status_code == 422
    assert 'href="#f-court_case_no"' in wrong.text
    accepted = await post(
        browser,
        f"{BASE}/court/cases/{case.id}/decide",
        {"decision": "accepted", "court_case_no": "（2026）吉0322民调确字第15号", "version": "2"},
    )
    assert accepted.status_code == 303
    file = await browser.get(f"{BASE}/court/cases/{case.id}")
    assert "已受理，待裁定" in file.text
    assert "（2026）吉0322民调确字第15号" in file.text


async def test_the_admin_reads_the_queue_but_never_a_full_id_number(
    browser: Browser, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village)
    party = (await parties_of(court.tenant, case.id))[0]
    await browser.login("admin-a")
    file = await browser.get(f"{BASE}/court/cases/{case.id}")
    assert file.status_code == 200
    assert "显示完整号码" not in file.text
    reveal = await browser.get(f"{BASE}/court/cases/{case.id}/parties/{party.id}/id-number")
    assert reveal.status_code == 403
    assert ID_NUMBERS[0] not in reveal.text


async def test_the_case_page_section_shows_deadline_and_actions(
    app: Litestar, court: Court
) -> None:
    """The partial the core case page includes in its loop, as ``section``."""
    from mediation.court.routes import case_section
    from wusong.core.tenancy import Role

    referred = local_today() - timedelta(days=60)
    case = await make_court_case(court.tenant, area_id=court.village, referral_date=referred)
    template = app.template_engine.get_template("mediation/court/_section.html")  # type: ignore[union-attr]
    async with in_tenant(court.tenant, writes=False) as platform_ctx:
        for role, sees in ((Role.MEDIATOR, "退回法院"), (Role.COURT_REVIEWER, "法院委派")):
            ctx = SimpleNamespace(**{**platform_ctx.__dict__, "role": role})
            view: Any = SimpleNamespace(ctx=ctx)
            html = template.render(ctx=ctx, case=case, section=await case_section(view, case))
            assert "已超期" in html
            assert sees in html
            assert ("经双方同意延长期限" in html) is False  # past the deadline: return, not extend


async def test_the_reveal_link_on_the_case_page_is_the_court_reviewers_only(
    app: Litestar, court: Court
) -> None:
    from wusong.core.tenancy import Role

    case = await make_court_case(court.tenant, area_id=court.village)
    party = (await parties_of(court.tenant, case.id))[0]
    source = (
        '{% from "mediation/court/_macros.html" import reveal_party with context %}'
        "{{ reveal_party(p) }}"
    )
    engine: Any = app.template_engine
    template = engine.engine.from_string(source)
    async with in_tenant(court.tenant, writes=False) as platform_ctx:
        for role in Role:
            ctx = SimpleNamespace(**{**platform_ctx.__dict__, "role": role})
            html = template.render(ctx=ctx, case=case, p=party)
            link = f"/t/lishu/court/cases/{case.id}/parties/{party.id}/id-number"
            assert (link in html) is (role is Role.COURT_REVIEWER), role
