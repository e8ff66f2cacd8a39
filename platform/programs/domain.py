"""What the programs domain contributes: program pages and API, navigation and audit labels."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from programs.api import ProgramApi
from programs.kinds import ACTIVITY_KINDS, KIND_LABELS, PROGRAM_STATUSES
from programs.registry import program_tabs
from programs.routes import ProgramPages
from wusong.core.domain import Domain, NavEntry

DOMAIN = Domain(
    name="programs",
    pages=[ProgramPages],
    api=[ProgramApi],
    nav=[NavEntry("试点项目", "/programs", order=20)],
    audit_actions={
        "program.create": "新建试点项目",
        "program.update": "修改试点项目",
        "program.areas": "设置项目覆盖区域",
        "program.config": "保存项目配置（新版本）",
        "program.activate": "启动试点项目",
        "program.close": "结束试点项目",
        "program.staff_add": "分配项目工作人员",
        "program.staff_remove": "移出项目工作人员",
        "activity.create": "登记活动",
        "activity.delete": "删除活动记录",
    },
    audit_objects={"program": "试点项目", "program_activity": "活动记录"},
    audit_fields={
        "host_org": "承办单位",
        "description": "简介",
        "starts_on": "开始日期",
        "ends_on": "结束日期",
        "targets": "目标",
        "status": "状态",
        "version_no": "配置版本",
        "occurred_on": "日期",
        "people": "人数",
    },
    api_tags=[
        Tag(
            name="programs",
            description="试点项目（一地一特色）：调解工作室、共享法庭、无讼村、红色物业评星、"
            "村规民约、一站式调解，及其配置、记录与活动",
        )
    ],
    template_globals={
        "program_tabs": program_tabs,
        "PROGRAM_KIND_LABELS": KIND_LABELS,
        "PROGRAM_STATUSES": PROGRAM_STATUSES,
        "ACTIVITY_KINDS": ACTIVITY_KINDS,
    },
)
