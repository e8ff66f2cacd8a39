"""What the Red property rating program type contributes: its pages, API and audit labels."""

from __future__ import annotations

from programs.red_property.api import RedPropertyApi
from programs.red_property.routes import RedPropertyPages
from wusong.core.domain import Domain

DOMAIN = Domain(
    name="programs.red_property",
    pages=[RedPropertyPages],
    api=[RedPropertyApi],
    audit_actions={
        "red_property.complex.create": "新增小区",
        "red_property.complex.update": "修改小区",
        "red_property.complex.activate": "启用小区",
        "red_property.complex.deactivate": "停用小区",
        "red_property.rubric.save": "保存评星规则",
        "red_property.inspection.create": "登记物业督察",
        "red_property.complaint.create": "登记物业投诉",
        "red_property.complaint.update": "处理物业投诉",
    },
    audit_objects={
        "property_complex": "小区",
        "inspection": "督察记录",
        "complaint": "物业投诉",
        "program": "项目",
    },
    audit_fields={
        "name": "名称",
        "households": "户数",
        "area": "所在村/社区",
        "address": "地址",
        "company": "物业服务企业",
        "active": "状态",
        "before": "修改前",
        "after": "修改后",
        "version_no": "规则版本",
        "criteria": "评分项数",
        "vetoes": "否决项数",
        "valid_months": "有效期（月）",
        "complex": "小区",
        "inspected_on": "督察日期",
        "score": "得分",
        "stars": "星级",
        "fee_level": "收费等级",
        "received_on": "投诉日期",
        "category": "类别",
        "collective": "群体投诉",
        "status": "处理状态",
    },
)
