"""The mediation agreement (人民调解协议书): drafting, signatures, taking effect, corrections.

It follows 人民调解法 art. 29 and the MoJ rules (art. 35): it takes effect when every party of
the case has signed (sign, seal or fingerprint), the mediator has signed and the committee seal
is applied, and only when its required contents are present (a signature on an incomplete draft
is refused, 409 naming what is missing). From then on it is immutable; a correction is a new
version that ``supersedes`` it. The old version stays effective until the correction itself
takes effect, then it becomes ``superseded`` (so a case has at most one effective agreement,
and never none once it had one). Editing a draft clears its signatures: people signed the text
as it was.

Use cases run inside their caller's unit of work and never open a transaction of their own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from mediation import repo as case_repo
from mediation.access import readable_case, writable_case
from mediation.identity import mask_name
from mediation.proceedings import repo
from mediation.proceedings.schemas import (
    MAX_TERMS,
    ON_SIGNING,
    SIGN_METHODS,
    SIGNERS,
    AgreementIn,
    AgreementRow,
    SignatureIn,
)
from mediation.rules import check_amount, check_day, clean_long_text
from mediation.schemas import PARTY_ROLES, CaseRow, PartyRow
from mediation.status import AGREED, OPEN, require_status
from tenants import audit
from tenants.rules import clean_text
from wusong.core.clock import local_today
from wusong.core.errors import Conflict, FieldErrors, PreconditionFailed
from wusong.core.tenancy import TenantContext

# Cases an agreement may be drafted, edited, signed or corrected on.
DRAFTABLE = frozenset({OPEN, *AGREED})
NO_AGREEMENT_RULE = "已撤回、调解不成或转入诉讼的案件不能制作或修改调解协议"
IMMUTABLE = "已生效的调解协议不能修改，请制作更正版本"
SUPERSEDED = "该版本已被更正版本取代，不能修改"
MAX_FACTS = 5000
MAX_TEXT = 2000


def _actor(ctx: TenantContext) -> str:
    return ctx.display_name or ctx.actor_name


def _valid_version(expected: int) -> None:
    if not 0 < expected < 2**31:
        raise PreconditionFailed


# ---- agreements: reading ---------------------------------------------------------------------


def missing_contents(agreement: AgreementRow) -> list[str]:
    """The required contents (art. 29) the agreement lacks, in Chinese."""
    missing = []
    if not agreement.facts:
        missing.append("纠纷主要事实")
    if not agreement.issues:
        missing.append("争议事项")
    if agreement.agreed_on is None:
        missing.append("协议日期")
    if not agreement.terms:
        missing.append("至少一项协议条款")
    for number, term in enumerate(agreement.terms, 1):
        if term.way == ON_SIGNING:
            continue
        lacking = [
            label
            for label, value in (("履行方式", term.way), ("履行地点", term.place),
                                 ("履行期限", term.deadline))
            if not value
        ]  # fmt: skip
        if lacking:
            missing.append(f"第{number}项条款的{'、'.join(lacking)}（或写明“{ON_SIGNING}”）")
    return missing


def unsigned(agreement: AgreementRow, parties: list[PartyRow]) -> list[str]:
    """Who has yet to sign: each party of the case, the mediator, the committee seal."""
    signed = {(s.signer, s.party_id) for s in agreement.signatures}
    waiting = [
        f"{PARTY_ROLES.get(p.role, '当事人')}{p.name}"
        for p in parties
        if ("party", p.id) not in signed
    ]
    if not parties:
        waiting.append("当事人")
    if ("mediator", None) not in signed:
        waiting.append("调解员")
    if ("seal", None) not in signed:
        waiting.append("调解委员会印章")
    return waiting


def _decorated(agreements: list[AgreementRow], parties: list[PartyRow]) -> list[AgreementRow]:
    names = {p.id: p.name for p in parties}
    for agreement in agreements:
        for term in agreement.terms:
            term.obligor_name = names.get(term.obligor_id, "") if term.obligor_id else ""
        for signature in agreement.signatures:
            signature.party_name = names.get(signature.party_id, "") if signature.party_id else ""
        agreement.missing = missing_contents(agreement)
        agreement.unsigned = unsigned(agreement, parties)
    return agreements


async def case_agreements(ctx: TenantContext, case: CaseRow) -> list[AgreementRow]:
    """Every version of an (already authorised) case's agreement, newest first."""
    parties = await case_repo.list_parties(ctx, case.id)
    return _decorated(await repo.list_agreements(ctx, case.id), parties)


async def list_agreements(ctx: TenantContext, case_id: UUID) -> list[AgreementRow]:
    return await case_agreements(ctx, await readable_case(ctx, case_id))


async def get_agreement(ctx: TenantContext, case_id: UUID, agreement_id: UUID) -> AgreementRow:
    await readable_case(ctx, case_id)
    return await _agreement(ctx, case_id, agreement_id)


async def _agreement(ctx: TenantContext, case_id: UUID, agreement_id: UUID) -> AgreementRow:
    parties = await case_repo.list_parties(ctx, case_id)
    return _decorated([await repo.get_agreement(ctx, case_id, agreement_id)], parties)[0]


# ---- agreements: drafting --------------------------------------------------------------------


def require_draft(agreement: AgreementRow) -> None:
    if agreement.status == "effective":
        raise Conflict(IMMUTABLE)
    if agreement.status == "superseded":
        raise Conflict(SUPERSEDED)


async def _contents(
    ctx: TenantContext, case: CaseRow, data: AgreementIn
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The agreement's columns and its terms, checked; one Invalid naming every bad field
    (``terms[0].amount``: the first term's amount)."""
    errors = FieldErrors()
    today = local_today()
    facts = clean_long_text(errors, "facts", "纠纷主要事实", data.facts, MAX_FACTS)
    issues = clean_long_text(errors, "issues", "争议事项", data.issues, MAX_TEXT)
    responsibilities = clean_long_text(
        errors, "responsibilities", "各方责任", data.responsibilities, MAX_TEXT
    )
    agreed_on = check_day(
        errors, "agreed_on", "协议日期", data.agreed_on, today=today,
        not_before=case.accepted_on, not_before_label="受理日期", future=True,
    )  # fmt: skip
    if "agreed_on" in errors:
        agreed_on = None
    if len(data.terms) > MAX_TERMS:
        errors.add("terms", f"协议条款不能超过 {MAX_TERMS} 项")
    party_ids = {p.id for p in await case_repo.list_parties(ctx, case.id)}
    terms, total = [], Decimal("0.00")
    for index, term in enumerate(data.terms[:MAX_TERMS]):
        key, n = f"terms[{index}]", f"第{index + 1}项"
        obligation = clean_long_text(
            errors, f"{key}.obligation", f"{n}履行内容", term.obligation, MAX_TEXT, required=True
        )
        if term.obligor_id is not None and term.obligor_id not in party_ids:
            errors.add(f"{key}.obligor_id", f"{n}义务人须为本案当事人")
        amount = check_amount(errors, f"{key}.amount", f"{n}金额", term.amount)
        total += amount or 0
        way = clean_text(errors, f"{key}.way", f"{n}履行方式", term.way, 100, required=False)
        place = clean_text(errors, f"{key}.place", f"{n}履行地点", term.place, 100, required=False)
        deadline = check_day(
            errors, f"{key}.deadline", f"{n}履行期限", term.deadline, today=today,
            not_before=agreed_on, not_before_label="协议日期", future=True,
        )  # fmt: skip
        terms.append(
            {
                "id": uuid4(),
                "obligor": term.obligor_id,
                "obligation": obligation,
                "amount": amount,
                "way": way,
                "place": place,
                "deadline": deadline,
            }
        )
    errors.raise_if_any()
    values = {
        "facts": facts,
        "issues": issues,
        "responsibilities": responsibilities,
        "signed_on": agreed_on,
        "amount_total": total,
    }
    return values, terms


async def create_draft(ctx: TenantContext, case_id: UUID, data: AgreementIn) -> AgreementRow:
    """The first version of the case's agreement, as a draft (the case's facts when none are
    given). A case with an agreement already drafts corrections instead."""
    case = await writable_case(ctx, case_id)
    require_status(case.status, DRAFTABLE, NO_AGREEMENT_RULE)
    existing = await repo.list_agreements(ctx, case_id)
    if any(a.status == "draft" for a in existing):
        raise Conflict("本案已有未生效的调解协议草稿，请在草稿上修改")
    if existing:
        raise Conflict("本案的调解协议已生效，如需修改请制作更正版本")
    values, terms = await _contents(ctx, case, data)
    if not values["facts"]:
        values["facts"] = case.facts
    agreement_id = await repo.insert_agreement(
        ctx,
        {
            "id": uuid4(),
            "case": case_id,
            "version_no": 1,
            "status": "draft",
            "created_by_name": _actor(ctx),
            **values,
        },
    )
    await repo.replace_terms(ctx, agreement_id, terms)
    await audit.record(
        ctx,
        "case.agreement.draft",
        "case",
        case_id,
        {"version_no": 1, "terms": len(terms), "amount_total": str(values["amount_total"])},
    )
    return await _agreement(ctx, case_id, agreement_id)


async def update_draft(
    ctx: TenantContext, case_id: UUID, agreement_id: UUID, data: AgreementIn, expected: int
) -> AgreementRow:
    """Replace a draft's contents and terms (If-Match: the agreement's version). Signatures
    given on the earlier text are cleared."""
    case = await writable_case(ctx, case_id)
    agreement = await repo.get_agreement(ctx, case_id, agreement_id)
    require_draft(agreement)
    require_status(case.status, DRAFTABLE, NO_AGREEMENT_RULE)
    _valid_version(expected)
    values, terms = await _contents(ctx, case, data)
    await repo.update_agreement(ctx, agreement_id, expected, values)
    await repo.replace_terms(ctx, agreement_id, terms)
    if agreement.signatures:
        await repo.clear_signatures(ctx, agreement_id)
    await audit.record(
        ctx,
        "case.agreement.update",
        "case",
        case_id,
        {
            "version_no": agreement.version_no,
            "terms": len(terms),
            "amount_total": str(values["amount_total"]),
            "signatures_cleared": len(agreement.signatures),
        },
    )
    return await _agreement(ctx, case_id, agreement_id)


async def correct_agreement(ctx: TenantContext, case_id: UUID, agreement_id: UUID) -> AgreementRow:
    """A corrected version of an effective agreement: a draft with its contents and terms,
    version_no + 1, superseding it once the correction itself takes effect."""
    case = await writable_case(ctx, case_id)
    agreement = await repo.get_agreement(ctx, case_id, agreement_id)
    if agreement.status != "effective":
        raise Conflict("只有已生效的调解协议可以制作更正版本")
    require_status(case.status, DRAFTABLE, NO_AGREEMENT_RULE)
    existing = await repo.list_agreements(ctx, case_id)
    if any(a.status == "draft" for a in existing):
        raise Conflict("本案已有未生效的更正版本草稿，请在草稿上修改")
    version_no = max(a.version_no for a in existing) + 1
    new_id = await repo.insert_agreement(
        ctx,
        {
            "id": uuid4(),
            "case": case_id,
            "version_no": version_no,
            "supersedes": agreement_id,
            "status": "draft",
            "facts": agreement.facts,
            "issues": agreement.issues,
            "responsibilities": agreement.responsibilities,
            "signed_on": agreement.agreed_on,
            "amount_total": agreement.amount_total,
            "created_by_name": _actor(ctx),
        },
    )
    copied = [
        {"id": uuid4(), "obligor": t.obligor_id, "obligation": t.obligation, "amount": t.amount,
         "way": t.way, "place": t.place, "deadline": t.deadline}
        for t in agreement.terms
    ]  # fmt: skip
    await repo.replace_terms(ctx, new_id, copied)
    await audit.record(
        ctx,
        "case.agreement.correct",
        "case",
        case_id,
        {"version_no": version_no, "supersedes": agreement.version_no},
    )
    return await _agreement(ctx, case_id, new_id)


# ---- agreements: signatures and taking effect ------------------------------------------------


def _check_signature(
    errors: FieldErrors, data: SignatureIn, parties: list[PartyRow]
) -> tuple[UUID | None, str]:
    """The signing party (None for the mediator and the seal) and the method."""
    if data.signer not in SIGNERS:
        errors.add("signer", "签署方须为当事人、调解员或调解委员会印章")
        return None, ""
    if data.signer != "party":
        if data.party_id is not None:
            errors.add("party_id", "调解员签名和调解委员会印章不选择当事人")
        return None, "seal" if data.signer == "seal" else "sign"
    if data.party_id is None:
        errors.add("party_id", "请选择签署的当事人")
    elif data.party_id not in {p.id for p in parties}:
        errors.add("party_id", "签署人须为本案当事人")
    if data.method not in SIGN_METHODS:
        errors.add("method", "签署方式须为签名、盖章或按指印")
    return data.party_id, data.method


async def sign_agreement(
    ctx: TenantContext, case_id: UUID, agreement_id: UUID, data: SignatureIn
) -> AgreementRow:
    """Record a signature on a complete draft; the last one makes it take effect."""
    case = await writable_case(ctx, case_id)
    agreement = await repo.get_agreement(ctx, case_id, agreement_id)
    require_draft(agreement)
    require_status(case.status, DRAFTABLE, NO_AGREEMENT_RULE)
    parties = await case_repo.list_parties(ctx, case_id)
    errors = FieldErrors()
    party_id, method = _check_signature(errors, data, parties)
    signed_on = check_day(
        errors, "signed_on", "签署日期", data.signed_on or local_today(), today=local_today(),
        not_before=agreement.agreed_on, not_before_label="协议日期",
    )  # fmt: skip
    errors.raise_if_any()
    missing = missing_contents(agreement)
    if missing:
        raise Conflict("调解协议内容不完整，不能签署：缺少" + "；".join(missing))
    await repo.put_signature(
        ctx, agreement_id, data.signer, party_id,
        {"id": uuid4(), "method": method, "signed_on": signed_on,
         "recorded_by_name": _actor(ctx)},
    )  # fmt: skip
    version = await repo.update_agreement(ctx, agreement_id, agreement.version, {})
    diff: dict[str, Any] = {"version_no": agreement.version_no, "signer": SIGNERS[data.signer]}
    party = next((mask_name(p.name) for p in parties if p.id == party_id), "")
    if party:
        diff["party"] = party
    diff.update(method=SIGN_METHODS.get(method, method), signed_on=str(signed_on))
    await audit.record(ctx, "case.agreement.sign", "case", case_id, diff)
    signed = await _agreement(ctx, case_id, agreement_id)
    if signed.unsigned:
        return signed
    return await _take_effect(ctx, case, signed, version)


async def _take_effect(
    ctx: TenantContext, case: CaseRow, agreement: AgreementRow, version: int
) -> AgreementRow:
    """Every signature is there: the agreement is effective from the last signature's date,
    the version it corrects is superseded and the case carries the agreed amount."""
    effective_on = max(s.signed_on for s in agreement.signatures)
    await repo.update_agreement(
        ctx, agreement.id, version, {"status": "effective", "effective_on": effective_on}
    )
    old = None
    if agreement.supersedes_id is not None:
        old = await repo.get_agreement(ctx, case.id, agreement.supersedes_id)
        await repo.update_agreement(ctx, old.id, old.version, {"status": "superseded"})
    await case_repo.update_case(
        ctx, case.id, case.version, {"amount_agreed": agreement.amount_total}
    )
    diff: dict[str, Any] = {
        "version_no": agreement.version_no,
        "effective_on": str(effective_on),
        "amount_agreed": str(agreement.amount_total),
    }
    if old is not None:
        diff["supersedes"] = old.version_no
    await audit.record(ctx, "case.agreement.effective", "case", case.id, diff)
    return await _agreement(ctx, case.id, agreement.id)
