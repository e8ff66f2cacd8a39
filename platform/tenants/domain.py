"""What the tenants domain contributes: its pages and API, navigation, audit actions and jobs."""

from __future__ import annotations

from arq import cron
from litestar.openapi.spec import Tag

from tenants.api import TenantApi
from tenants.audit import ACTION_LABELS
from tenants.auth_routes import AuthPages
from tenants.jobs import anchor_audit_chains, purge_expired_credentials
from tenants.routes import TenantPages
from tenants.schemas import AREA_KINDS
from wusong.core.domain import Domain, NavEntry
from wusong.core.tenancy import ADMIN

DOMAIN = Domain(
    name="tenants",
    pages=[TenantPages],
    api=[TenantApi],
    public=[AuthPages],
    nav=[
        NavEntry("首页", "/", order=0),
        NavEntry("乡镇与村", "/areas", order=10),
        NavEntry("用户", "/users", roles=ADMIN, order=900),
        NavEntry("审计日志", "/audit", roles=ADMIN, order=910),
        NavEntry("API 令牌", "/account/tokens", order=990),
    ],
    audit_actions=ACTION_LABELS,
    audit_objects={
        "tenant": "区县",
        "area": "区域",
        "membership": "用户",
        "user": "用户",
        "api_token": "API 令牌",
    },
    audit_fields={
        "area": "区域",
        "name": "名称",
        "slug": "标识",
        "kind": "类型",
        "division_code": "区划代码",
        "parent": "所属乡镇",
        "username": "用户名",
        "display_name": "姓名",
        "role": "角色",
        "areas": "工作区域",
        "active": "状态",
        "before": "修改前",
        "after": "修改后",
        "expires_at": "有效期至",
        "client_ip": "客户端地址",
        "failures": "失败次数",
        "window_minutes": "统计时长（分钟）",
    },
    api_tags=[
        Tag(
            name="tenants",
            description="区县、乡镇/街道与村/社区、用户与角色、API 令牌、审计日志",
        )
    ],
    jobs=[purge_expired_credentials, anchor_audit_chains],
    cron_jobs=[
        cron(purge_expired_credentials, minute={7}, run_at_startup=False),
        # hourly: a truncated or rewritten tail older than the last anchor is detected
        cron(anchor_audit_chains, minute={37}, run_at_startup=False),
    ],
    template_globals={"AREA_KIND_LABELS": AREA_KINDS},
)
