"""The agreement and the case file of real cases (made through the mediation use cases), rendered
and read back: parties, terms, masked or full ID numbers as asked, the court's data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
import pytest

from reports.documents import render
from reports.documents.content import NO_AGREEMENT, agreement_content, case_file_content
from tests.factories import ROOT_DIR, Member, in_tenant
from tests.mediation.court.factories import ID_NUMBERS, make_court_case
from tests.mediation.factories import make_case, valid_id
from tests.reports.documents import pdfcheck, samples
from wusong.core.clock import local_today
from wusong.core.errors import Conflict

THIRD_ID = valid_id("22032219900515003")


@pytest.fixture(scope="module")
def worker() -> Any:
    return render._Worker(ROOT_DIR / "templates", strict=True)


def _pdf(worker: Any, content: Any) -> str:
    context = {**content.context, **samples.issued(content.number)}
    rendered = render.render_in_process(
        content.template, context, content.title, "梨树县", worker=worker
    )
    return pdfcheck.text(rendered.pdf)


async def _settled_case(tenant: Any, *, sign: bool = True) -> UUID:
    """A court-referred contract case with a third party, a session and an agreement of three
    terms, signed by everyone (or left a draft), and a confirmation application."""
    from mediation.court import services as court_services
    from mediation.court.schemas import ConfirmationApply
    from mediation.proceedings import agreements, services
    from mediation.proceedings.schemas import AgreementIn, SessionCreate, SignatureIn

    case = await make_court_case(tenant)
    today = local_today()
    async with in_tenant(tenant) as ctx:
        from mediation import services as case_services
        from mediation.schemas import PartyIn

        await case_services.add_party(
            ctx, case.id,
            PartyIn(role="third_party", name="赵喆", id_number=THIRD_ID, mobile="13700137000",
                    address="梨树县霍家店村", agent_name="钱律师"),
            case.version,
        )  # fmt: skip
        await services.record_session(
            ctx, case.id,
            SessionCreate(held_on=today, record="各方陈述借款经过，核对借条。",
                          attendees="张三、李四、赵喆", place="梨树镇调解室"),
        )  # fmt: skip
        parties = await _parties(ctx, case.id)
        draft = await agreements.create_draft(
            ctx, case.id,
            msgspec.convert({
                "facts":"申请人借给被申请人5万元，约定一年归还，至今未还。",
                "issues": "借款本金及利息的数额与归还期限。",
                "responsibilities": "被申请人逾期未还，负全部责任。",
                "agreed_on": today,
                "terms": [
                    {"obligor_id": parties[1], "obligation": "归还申请人借款本金",
                     "amount": "50000", "way": "银行转账", "place": "梨树县",
                     "deadline": today + timedelta(days=30)},
                    {"obligor_id": parties[1], "obligation": "支付申请人利息",
                     "amount": "1200.50", "way": "现金", "place": "梨树镇调解室",
                     "deadline": today + timedelta(days=30)},
                    {"obligation": "双方确认借条原件由调解委员会存档", "way": "当场履行"},
                ],
            }, AgreementIn),
        )  # fmt: skip
        if not sign:
            return UUID(str(case.id))
        for party_id in parties:
            await agreements.sign_agreement(
                ctx, case.id, draft.id,
                SignatureIn(signer="party", party_id=party_id, method="fingerprint"),
            )  # fmt: skip
        await agreements.sign_agreement(ctx, case.id, draft.id, SignatureIn(signer="mediator"))
        await agreements.sign_agreement(ctx, case.id, draft.id, SignatureIn(signer="seal"))
    async with in_tenant(tenant) as ctx:
        from mediation import repo
        from mediation.proceedings.schemas import OutcomeSet

        version = (await repo.get_case(ctx, case.id)).version
        outcome = await services.set_outcome(ctx, case.id, OutcomeSet(outcome="settled"), version)
        version = outcome.version
        await court_services.apply_for_confirmation(
            ctx, case.id, ConfirmationApply(court="梨树县人民法院"), version
        )
    return UUID(str(case.id))


async def _parties(ctx: Any, case_id: Any) -> list[UUID]:
    from mediation import repo

    return [p.id for p in await repo.list_parties(ctx, case_id)]


async def test_the_agreement_of_a_real_case(admin_a: Member, worker: Any) -> None:
    case_id = await _settled_case(admin_a.tenant)
    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        masked = await agreement_content(ctx, case_id, full_ids=False)
        full = await agreement_content(ctx, case_id, full_ids=True)
    assert masked.template == "pdf/agreement.html"
    assert masked.title == f"人民调解协议书{masked.number}"
    assert masked.parties == ["张*", "李*", "赵*"]
    text = _pdf(worker, masked)
    for expected in (
        "张三", "李四", "赵喆", "委托代理人：钱律师", "138****0000", "137****7000",
        "李四归还申请人借款本金，金额人民币50,000.00元（大写：伍万元整）",
        "支付申请人利息，金额人民币1,200.50元（大写：壹仟贰佰元伍角）",
        "双方确认借条原件由调解委员会存档", "于本协议签署时当场履行",
        "合计人民币51,200.50元（大写：伍万壹仟贰佰元伍角）",
        "本协议一式四份，当事人各执一份，人民调解委员会留存一份",
        "人民调解委员会（印）", "已生效", masked.number,
    ):  # fmt: skip
        assert expected in text, expected
    assert "草稿" not in text
    assert "110***********002X" in text
    for number in (*ID_NUMBERS, THIRD_ID):
        assert number not in text
    assert "13800000000" not in text  # mobiles always masked
    text_full = _pdf(worker, full)
    for number in (*ID_NUMBERS, THIRD_ID):
        assert number in text_full
    assert "110***********002X" not in text_full
    assert "男，1949年12月31日出生" not in text_full  # 002X: the 17th digit 2 is female
    assert "女，1949年12月31日出生" in text_full


async def test_a_draft_agreement_is_marked_and_a_case_without_one_refused(
    admin_a: Member, worker: Any
) -> None:
    case_id = await _settled_case(admin_a.tenant, sign=False)
    bare = await make_case(admin_a.tenant)
    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        draft = await agreement_content(ctx, case_id, full_ids=False)
        with pytest.raises(Conflict, match=NO_AGREEMENT):
            await agreement_content(ctx, bare.id, full_ids=False)
    text = _pdf(worker, draft)
    assert "草稿未生效仅供核对" in text
    assert "尚未签署" in text


async def test_the_case_file_of_a_court_referred_case(admin_a: Member, worker: Any) -> None:
    case_id = await _settled_case(admin_a.tenant)
    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        content = await case_file_content(ctx, case_id, full_ids=False)
        full = await case_file_content(ctx, case_id, full_ids=True)
    assert content.template == "pdf/case_file.html"
    assert content.title.startswith("诉前调解案卷")
    text = _pdf(worker, content)
    for expected in (
        "诉前调解案卷", "梨树县人民法院", "（2026）吉0322民诉前调1234号", "诉前调解",
        "各方陈述借款经过，核对借条。", "梨树镇调解室", "张三", "李四", "赵喆",
        "归还申请人借款本金", "50,000.00元", "按指印", "已盖章", "调解成功",
        "已申请，待受理", "申请司法确认", "110***********002X",
    ):  # fmt: skip
        assert expected in text, expected
    assert ID_NUMBERS[0] not in text
    assert ID_NUMBERS[0] in _pdf(worker, full)


async def test_another_tenants_case_is_not_found(admin_a: Member, admin_b: Member) -> None:
    from wusong.core.errors import NotFound

    case_id = await _settled_case(admin_a.tenant)
    async with in_tenant(admin_b.tenant, writes=False) as ctx:
        with pytest.raises(NotFound):
            await agreement_content(ctx, case_id, full_ids=True)
        with pytest.raises(NotFound):
            await case_file_content(ctx, case_id, full_ids=True)
