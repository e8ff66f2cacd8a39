"""Contexts of the case documents as ``reports.documents.content`` builds them, plus what the
caller adds (verification, issue date, tenant, version): a three-party agreement of about three
pages with several terms, and a court-referred case file. Used by the tests and the benchmark."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

VERIFY_URL = "https://wusong.example.cn/verify/6f1c2a9e0b7d4c3e8a5f1b2c3d4e5f60"


def issued(number: str = "（2026）梨调字第0007号", **changes: Any) -> dict[str, Any]:
    """What the documents domain adds before rendering."""
    from reports.documents.render import qr_svg_data_uri

    return {
        "verification": {"url": VERIFY_URL, "code": "K7QM-4XPD", "qr": qr_svg_data_uri(VERIFY_URL)},
        "issued_on": date(2026, 3, 20),
        "tenant_name": "梨树县",
        "document_version": 1,
        "supersedes": None,
        **changes,
    }


def _party(role: str, label: str, name: str, **more: Any) -> dict[str, Any]:
    return {
        "id": f"p-{name}", "role": role, "role_label": label, "kind": "person",
        "kind_label": "自然人", "organisation": False, "name": name, "masked_name": name[0] + "*",
        "id_number": "220***********0013", "id_full": False, "sex": "", "born": None,
        "mobile": "138****8000", "address": "吉林省四平市梨树县郭家店镇霍家店村三组",
        "agent_name": "",
        "agent_mobile": "", **more,
    }  # fmt: skip


PARTIES = [
    _party("applicant", "申请人", "张建国"),
    _party(
        "respondent",
        "被申请人",
        "李䶮",
        mobile="139****9000",
        agent_name="王律师",
        agent_mobile="137****7000",
    ),
    {
        **_party("third_party", "第三人", "梨树县金玉米农机专业合作社"),
        "kind": "organisation",
        "kind_label": "法人或其他组织",
        "organisation": True,
        "id_number": "",
        "masked_name": "梨树县金玉米农机专业合作社",
    },
]

FACTS = (
    "申请人张建国与被申请人李䶮系同村村民，两家承包地相邻。2025年10月秋收期间，被申请人雇用"
    "第三人梨树县金玉米农机专业合作社的收割机收割玉米时，越过两家地界约三米，碾压并收割了申请人"
    "地内未收获的玉米约一亩二分，并损毁地界处的排水沟约二十米。申请人多次找被申请人协商赔偿未果，"
    "双方为此发生争执，申请人于2026年3月2日向霍家店村人民调解委员会申请调解。"
)


def _terms() -> list[dict[str, Any]]:
    rows = [
        ("李䶮", "赔偿申请人张建国玉米损失", Decimal("3200.50"), "银行转账", "梨树县郭家店镇",
         date(2026, 4, 10)),
        ("梨树县金玉米农机专业合作社", "承担申请人排水沟修复费用", Decimal("12000.00"), "现金支付",
         "霍家店村村民委员会", date(2026, 4, 30)),
        ("李䶮", "于2026年4月30日前恢复两家地界原状，由村民委员会现场确认", None, "自行恢复",
         "霍家店村三组承包地", date(2026, 4, 30)),
        ("", "双方确认以2019年土地确权登记的界址为准，今后互不越界耕种", None, "当场履行", "",
         None),
        ("张建国", "收到全部款项后不再就本纠纷向被申请人及第三人主张其他权利", None, "书面确认",
         "霍家店村人民调解委员会", date(2026, 5, 10)),
    ]  # fmt: skip
    return [
        {"obligor": o, "obligation": text, "amount": amount, "way": way,
         "on_signing": way == "当场履行", "place": place, "deadline": deadline}
        for o, text, amount, way, place, deadline in rows
    ]  # fmt: skip


def agreement_context(
    *, draft: bool = False, parties: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    shown = copy.deepcopy(parties if parties is not None else PARTIES)
    signed = {"method": "按指印", "on": date(2026, 3, 18)}
    agreement = {
        "version_no": 1, "status": "draft" if draft else "effective",
        "status_label": "草稿" if draft else "已生效", "draft": draft, "corrects": False,
        "facts": FACTS,
        "issues": "一、被申请人应否赔偿申请人玉米损失及数额；二、排水沟修复费用由谁承担；"
                  "三、两家承包地界址如何确定。",
        "responsibilities": "被申请人未核实地界即安排收割，对损失负主要责任；第三人作业时未按"
                            "指示的地界收割，对排水沟损毁负直接责任；申请人未及时设置地界标志，"
                            "负次要责任。",
        "agreed_on": date(2026, 3, 18), "effective_on": None if draft else date(2026, 3, 18),
        "amount_total": Decimal("15200.50"), "terms": _terms(),
        "party_signatures": [{"party": p, "signature": None if draft else signed} for p in shown],
        "mediator_signature": None if draft else {"method": "签名", "on": date(2026, 3, 18)},
        "seal": None if draft else {"method": "盖章", "on": date(2026, 3, 18)},
        "unsigned": ["调解员", "调解委员会印章"] if draft else [], "missing": [],
    }  # fmt: skip
    return {
        "number": "（2026）梨调字第0007号",
        "case": _case(),
        "parties": shown,
        "agreement": agreement,
        "copies": len(shown) + 1,
        **issued(),
    }


def _case() -> dict[str, Any]:
    return {
        "number": "（2026）梨调字第0007号", "title": "收割越界损毁青苗纠纷", "category": "山林土地",
        "source": "法院委派（诉前调解）", "court_referred": True, "village": "霍家店村",
        "mediator": "刘淑芬", "committee": "霍家店村人民调解委员会", "facts": FACTS,
        "claims": "请求被申请人赔偿玉米损失及排水沟修复费用共计一万六千元。",
        "status": "settled", "status_label": "调解成功", "accepted_on": date(2026, 3, 2),
        "due_on": date(2026, 4, 1), "closed_on": date(2026, 3, 18), "outcome_reason": "",
        "outcome_note": "", "amount_agreed": Decimal("15200.50"), "undisputed_facts": "",
    }  # fmt: skip


def case_file_context() -> dict[str, Any]:
    context = agreement_context()
    return {
        "number": context["number"],
        "file_kind": "诉前调解案卷",
        "case": context["case"],
        "parties": context["parties"],
        "referral": {
            "court": "梨树县人民法院",
            "court_ref_no": "（2026）吉0322民诉前调1234号",
            "referral_date": date(2026, 3, 1),
            "procedure": "诉前调解",
            "period_days": 30,
            "due_on": date(2026, 4, 1),
            "extended_on": None,
            "extension_note": "",
            "extension_days": 30,
            "returned_on": None,
            "filing_due": None,
            "filed_case_no": "",
        },
        "sessions": [
            {
                "held_on": date(2026, 3, 6),
                "place": "霍家店村调解室",
                "mode": "现场",
                "attendees": "张建国、李䶮、王律师、合作社负责人赵某",
                "record": "各方陈述事实，现场查看地界和排水沟，初步核定损失面积。",
                "recorded_by": "刘淑芬",
            },
            {
                "held_on": date(2026, 3, 12),
                "place": "",
                "mode": "电话",
                "attendees": "张建国、李䶮",
                "record": "沟通赔偿数额，双方差距缩小。",
                "recorded_by": "刘淑芬",
            },
            {
                "held_on": date(2026, 3, 18),
                "place": "霍家店村调解室",
                "mode": "现场",
                "attendees": "全体当事人",
                "record": "达成协议并签署。",
                "recorded_by": "刘淑芬",
            },
        ],
        "agreement": context["agreement"],
        "agreement_versions": [
            {
                "version_no": 1,
                "status_label": "已生效",
                "agreed_on": date(2026, 3, 18),
                "effective_on": date(2026, 3, 18),
            },
        ],
        "window": {
            "effective_on": date(2026, 3, 18),
            "window_end": date(2026, 4, 17),
            "past": False,
            "confirmable": True,
            "not_confirmable_reason": "",
        },
        "applications": [
            {
                "court": "梨树县人民法院",
                "applied_on": date(2026, 3, 20),
                "status": "已受理，待裁定",
                "court_case_no": "（2026）吉0322民特12号",
                "accepted_on": date(2026, 3, 23),
                "decided_on": None,
                "refusal_reason": "",
                "acceptance_due": None,
                "ruling_due": date(2026, 4, 7),
            },
        ],
        "decisions": [
            {
                "decision": "受理",
                "court_case_no": "（2026）吉0322民特12号",
                "reason": "",
                "note": "",
                "decided_on": date(2026, 3, 23),
                "decided_by": "法官助理 陈某",
            },
        ],
        "followups": [],
        **issued(),
    }
