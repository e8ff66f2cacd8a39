"""The composition root: create_app() wires every domain's routes, plugins and error mapping."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.asyncio import Redis

from tenants.api import TenantApi
from tenants.auth_routes import AuthPages
from tenants.middleware import TenantMiddleware
from tenants.routes import TenantPages
from tenants.schemas import AREA_KINDS, ROLES
from wusong import db
from wusong.health import health, ready
from wusong.settings import PACKAGE_DIR, Settings, get_settings
from wusong.web import EXCEPTION_HANDLERS, require_roles, tenant_ctx

SHANGHAI = ZoneInfo("Asia/Shanghai")
TENANT_DEPENDENCIES = {"ctx": Provide(tenant_ctx, sync_to_thread=False)}

# Every domain contributes its tenant pages and tenant API controllers here.
TENANT_PAGE_HANDLERS: list[Any] = [TenantPages]
TENANT_API_HANDLERS: list[Any] = [TenantApi]

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'",
    ),
]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/schema"):
            await self.app(scope, receive, send)
            return

        extra = SECURITY_HEADERS
        if not scope["path"].startswith("/static/"):
            # Pages carry personal data and one-time secrets: never store them in a cache.
            extra = [*SECURITY_HEADERS, (b"cache-control", b"no-store")]

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, add_headers)


def local_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """UTC in the database, Asia/Shanghai on the screen."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return str(value.astimezone(SHANGHAI).strftime(fmt))


def json_text(value: Any) -> str:
    """Readable JSON for people (Chinese kept as is); autoescaping still applies."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def template_engine(settings: Settings) -> JinjaTemplateEngine:
    env = Environment(
        loader=FileSystemLoader(settings.templates_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = local_time
    env.filters["json_text"] = json_text
    env.globals["ROLE_LABELS"] = ROLES
    env.globals["AREA_KIND_LABELS"] = AREA_KINDS
    return JinjaTemplateEngine.from_environment(env)


def tenant_routers() -> list[Router]:
    common: dict[str, Any] = {
        "middleware": [TenantMiddleware],
        "guards": [require_roles],
        "dependencies": TENANT_DEPENDENCIES,
    }
    pages = Router(
        path="/t/{tenant:str}",
        route_handlers=TENANT_PAGE_HANDLERS,
        include_in_schema=False,
        **common,
    )
    api = Router(
        path="/api/v1/t/{tenant:str}",
        route_handlers=TENANT_API_HANDLERS,
        security=[{"BearerToken": []}],
        **common,
    )
    return [pages, api]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    redis = Redis.from_url(
        settings.redis_url, socket_connect_timeout=1, socket_timeout=2, retry_on_timeout=False
    )

    async def on_startup(app: Litestar) -> None:
        app.state.redis = redis
        await db.start(settings)

    async def on_shutdown(app: Litestar) -> None:
        await db.stop()
        await redis.aclose()

    static = create_static_files_router(
        path="/static", directories=[PACKAGE_DIR / "static"], include_in_schema=False
    )
    return Litestar(
        route_handlers=[health, ready, AuthPages, static, *tenant_routers()],
        middleware=[SecurityHeadersMiddleware],
        template_config=TemplateConfig(engine=template_engine(settings)),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="wusong_csrf",
            cookie_httponly=True,
            cookie_secure=settings.production,
            cookie_samesite="lax",
            exclude=["^/api/", "^/health$", "^/ready$", "^/schema"],
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=OpenAPIConfig(
            title="Wusong API",
            version="1",
            path="/schema",
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
        request_max_body_size=2 * 1024 * 1024,
        debug=False,
    )
