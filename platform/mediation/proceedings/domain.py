"""What the proceedings of a case contribute: their pages, API, audit labels and template
globals. The case page includes ``mediation/proceedings/_section.html`` with
``proceedings=await routes.case_section(view, case)``."""

from __future__ import annotations

from mediation.proceedings.api import ProceedingsApi
from mediation.proceedings.routes import TEMPLATE_GLOBALS, ProceedingsPages
from wusong.core.domain import Domain

DOMAIN = Domain(
    name="mediation.proceedings",
    pages=[ProceedingsPages],
    api=[ProceedingsApi],
    audit_actions={
        "case.session.record": "记录调解过程",
        "case.outcome.set": "记录调解结果",
        "case.agreement.draft": "起草调解协议",
        "case.agreement.update": "修改调解协议草稿",
        "case.agreement.sign": "调解协议签署",
        "case.agreement.effective": "调解协议生效",
        "case.agreement.correct": "制作调解协议更正版本",
        "case.followup.record": "记录回访",
    },
    audit_fields={
        "held_on": "调解日期",
        "mode": "调解方式",
        "place": "调解地点",
        "before": "修改前",
        "after": "修改后",
        "status": "案件状态",
        "closed_on": "结案日期",
        "outcome_reason": "未成功原因",
        "outcome_note": "结果说明",
        "version_no": "协议版本",
        "terms": "协议条款数",
        "amount_total": "协议金额合计（元）",
        "signatures_cleared": "清除的签署数",
        "supersedes": "被更正的版本",
        "signer": "签署方",
        "party": "当事人",
        "method": "签署方式",
        "signed_on": "签署日期",
        "effective_on": "生效日期",
        "amount_agreed": "协议金额（元）",
        "visited_on": "回访日期",
        "performance": "履行情况",
    },
    template_globals=TEMPLATE_GLOBALS,
)
