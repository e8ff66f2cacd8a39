"""What the mediation case core contributes: its pages, API, navigation and audit labels."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from mediation.access import READERS
from mediation.api import CaseApi, MediationSettingsApi
from mediation.categories import SOURCES
from mediation.routes import CasePages, MediationSettingsPages
from mediation.schemas import PARTY_KINDS, PARTY_ROLES
from mediation.status import FAILURE_REASONS, STATUSES
from wusong.core.domain import Domain, NavEntry
from wusong.core.tenancy import ADMIN

DOMAIN = Domain(
    name="mediation",
    pages=[CasePages, MediationSettingsPages],
    api=[CaseApi, MediationSettingsApi],
    nav=[
        NavEntry("纠纷案件", "/cases", roles=READERS, order=15),
        NavEntry("调解设置", "/mediation/settings", roles=ADMIN, order=85),
    ],
    audit_actions={
        "case.create": "登记纠纷案件",
        "case.update": "修改案件信息",
        "case.assign": "指派承办调解员",
        "case.party_add": "添加当事人",
        "case.party_update": "修改当事人信息",
        "case.party_remove": "移除当事人",
        "mediation.settings": "修改调解设置",
        "mediation.category_add": "新增纠纷类别",
        "mediation.category_active": "启用或停用纠纷类别",
    },
    audit_objects={
        "case": "纠纷案件",
        "mediation_settings": "调解设置",
        "case_category": "纠纷类别",
    },
    audit_fields={
        "case_no": "案号",
        "category": "纠纷类别",
        "source": "案件来源",
        "parties": "当事人",
        "party": "当事人",
        "due_on": "调解期限",
        "facts": "纠纷事实",
        "claims": "当事人请求",
        "title": "案由",
        "area": "村（社区）",
        "program": "所属项目",
        "mediator": "承办调解员",
        "party_role": "当事人身份",
        "party_kind": "当事人类型",
        "name": "名称",
        "address": "住址",
        "agent_name": "代理人",
        "id_masked": "身份证号码（遮蔽）",
        "mobile_changed": "手机号码已更改",
        "before": "修改前",
        "after": "修改后",
        "confirmable": "可申请司法确认",
        "active": "启用",
        "hidden_categories": "停用的标准类别",
        "number_abbr": "案号简称",
        "number_word": "案号字号",
        "number_digits": "案号序号位数",
        "usual_days": "一般调解期限（天）",
        "ordinary_days": "委派调解期限：普通程序（天）",
        "simplified_days": "委派调解期限：简易程序（天）",
        "classic_days": "诉前调解期限（天）",
        "extension_days": "经双方同意可延长（天）",
        "confirmation_days": "申请司法确认期限（天）",
    },
    api_tags=[
        Tag(name="mediation", description="纠纷案件：登记、当事人、调解、协议、回访、法院审查")
    ],
    template_globals={
        "CASE_STATUSES": STATUSES,
        "CASE_SOURCES": SOURCES,
        "PARTY_ROLES": PARTY_ROLES,
        "PARTY_KINDS": PARTY_KINDS,
        "FAILURE_REASONS": FAILURE_REASONS,
    },
)
