"""What the court side of mediation cases contributes: its pages, API, the court reviewer's
navigation entry and audit labels."""

from __future__ import annotations

from mediation.court.api import QUEUE_READERS, CourtApi
from mediation.court.review import ID_REVEAL
from mediation.court.routes import TEMPLATE_GLOBALS, CourtPages
from wusong.core.domain import Domain, NavEntry

DOMAIN = Domain(
    name="mediation.court",
    pages=[CourtPages],
    api=[CourtApi],
    nav=[NavEntry("法院审查", "/court/queue", roles=QUEUE_READERS, order=25)],
    audit_actions={
        "court.referral_extend": "经双方同意延长委派调解期限",
        "court.referral_return": "委派调解案件退回法院",
        "court.confirmation_apply": "登记司法确认申请",
        "court.decision": "登记法院审查决定",
        ID_REVEAL: "查看当事人完整身份证号码",
    },
    audit_objects={"case": "案件"},
    audit_fields={
        "extended_on": "双方同意延长日期",
        "extension_note": "同意延长的情况",
        "extension_days": "延长天数",
        "due_on": "调解期限",
        "before": "修改前",
        "after": "修改后",
        "returned_on": "退回法院日期",
        "undisputed_facts": "无争议事实记载",
        "status": "案件状态",
        "outcome_reason": "调解不成的原因",
        "court": "受理法院",
        "applied_on": "申请日期",
        "agreement_version": "调解协议版本",
        "window_end": "申请期限",
        "decision": "审查决定",
        "decided_on": "决定日期",
        "court_case_no": "法院案号",
        "reason": "驳回理由",
        "party": "当事人",
        "id_masked": "身份证号码（脱敏）",
    },
    template_globals=TEMPLATE_GLOBALS,
)
