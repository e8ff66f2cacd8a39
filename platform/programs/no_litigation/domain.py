"""What the No-litigation village program type contributes: its pages, API and audit labels."""

from __future__ import annotations

from programs.no_litigation.api import NoLitigationApi
from programs.no_litigation.routes import TEMPLATE_GLOBALS, NoLitigationPages
from wusong.core.domain import Domain

DOMAIN = Domain(
    name="programs.no_litigation",
    pages=[NoLitigationPages],
    api=[NoLitigationApi],
    audit_actions={
        "no_litigation.rubric": "保存无讼村评价标准",
        "no_litigation.pilot_add": "加入无讼试点村（社区）",
        "no_litigation.pilot_update": "修改试点村（社区）人口",
        "no_litigation.count_create": "录入无讼村诉讼统计",
        "no_litigation.count_update": "更正无讼村诉讼统计",
    },
    audit_objects={
        "program": "试点项目",
        "no_litigation_pilot": "无讼试点村（社区）",
        "no_litigation_count": "无讼村诉讼统计",
    },
    audit_fields={
        "program": "项目",
        "area": "村（社区）",
        "config_version": "评价标准版本",
        "after": "修改后",
        "before": "修改前",
        "population": "常住人口",
        "households": "户数",
        "covered": "同时加入项目覆盖区域",
        "period": "统计周期",
        "lawsuits": "新增诉讼案件数",
        "disputes_received": "受理矛盾纠纷数",
        "disputes_settled": "就地化解纠纷数",
        "note": "备注",
        "status": "达标情况",
        "granularity": "统计周期",
        "indicators": "考核指标",
        "max_lawsuits": "新增诉讼案件上限",
        "max_rate_per_10k": "万人成讼率上限",
        "min_settled_percent": "就地化解率下限（%）",
    },
    template_globals=TEMPLATE_GLOBALS,
)
