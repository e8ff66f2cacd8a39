"""The composition root: create_app() wires the domains to the kernel, in one readable place."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Litestar, Router
from litestar.di import Provide
from litestar.exceptions import ImproperlyConfiguredException
from litestar.file_system import BaseLocalFileSystem
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, PathType, Scope
from litestar.types.file_types import FileInfo
from redis.asyncio import Redis

from tenants.middleware import TenantMiddleware
from tenants.sessions import switchable_tenants
from tenants.signed_in import remember_signed_in
from wusong.core import db, jobs
from wusong.core.api import error_responses
from wusong.core.clock import local_time
from wusong.core.domain import Catalog, Domain
from wusong.core.http import EXCEPTION_HANDLERS
from wusong.core.settings import PACKAGE_DIR, Settings, get_settings
from wusong.core.tenancy import ROLE_LABELS
from wusong.core.views import view_provider
from wusong.core.web import (
    MAX_BODY,
    CSRFMiddleware,
    WusongRequest,
    require_access,
    route_access,
    tenant_ctx,
)
from wusong.domains import DOMAINS
from wusong.health import health, ready

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


# The docs UI (/schema) is Swagger UI started by an inline script with inline styles; it gets
# the same headers with inline code allowed, still only from this origin.
SCHEMA_CSP = (
    b"content-security-policy",
    b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
)
SCHEMA_HEADERS = [h for h in SECURITY_HEADERS if h[0] != b"content-security-policy"] + [SCHEMA_CSP]
NO_STORE = (b"cache-control", b"no-store")


async def security_headers(message: Message, scope: Scope) -> None:
    """Every HTTP response, also those of no route at all (a 404 or 405 from the router, which
    no route middleware sees): the security headers, and no caching of anything but static
    files (pages carry personal data and one-time secrets)."""
    if scope["type"] != "http" or message["type"] != "http.response.start":
        return
    path = scope["path"]
    extra = SCHEMA_HEADERS if path.startswith("/schema") else SECURITY_HEADERS
    if not path.startswith("/static/"):
        extra = [*extra, NO_STORE]
    names = {name for name, _ in extra}
    headers = [h for h in message.get("headers", []) if h[0].lower() not in names]
    message["headers"] = [*headers, *extra]


class StaticFiles(BaseLocalFileSystem):
    """The package's static files: a path no file can have (a NUL byte, a file used as a
    folder) is simply not found, never a 500."""

    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        try:
            return await super().info(path, **kwargs)
        except (ValueError, OSError) as error:
            raise FileNotFoundError(str(path)) from error


def json_text(value: Any) -> str:
    """Readable JSON for people (Chinese kept as is); autoescaping still applies."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def template_engine(settings: Settings, catalog: Catalog) -> JinjaTemplateEngine:
    env = Environment(
        loader=FileSystemLoader(settings.templates_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = local_time
    env.filters["json_text"] = json_text
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    env.globals["AUDIT_ACTIONS"] = catalog.audit_actions
    env.globals["AUDIT_OBJECTS"] = catalog.audit_objects
    env.globals["AUDIT_FIELDS"] = catalog.audit_fields
    for domain in catalog.domains:
        env.globals.update(domain.template_globals)
    return JinjaTemplateEngine.from_environment(env)


def tenant_routers(catalog: Catalog) -> list[Router]:
    """/t/{tenant} (pages) and /api/v1/t/{tenant} (JSON): middleware, guard and ctx on both."""
    common: dict[str, Any] = {"middleware": [TenantMiddleware], "guards": [require_access]}
    ctx = {"ctx": Provide(tenant_ctx)}
    pages = Router(
        path="/t/{tenant:str}",
        route_handlers=catalog.collect("pages"),
        include_in_schema=False,
        dependencies={**ctx, "view": Provide(view_provider(switchable_tenants))},
        **common,
    )
    api = Router(
        path="/api/v1/t/{tenant:str}",
        route_handlers=catalog.collect("api"),
        security=[{"BearerToken": []}],
        dependencies=ctx,
        **common,
    )
    return [pages, api]


SWAGGER = "/static/swagger-ui"


def docs_ui() -> SwaggerRenderPlugin:
    """Swagger UI at /schema from the package's own files: intranets block CDNs."""
    return SwaggerRenderPlugin(
        js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
        favicon="<link rel='icon' href='/static/favicon.svg' type='image/svg+xml'>",
        path="/",
    )


SUCCESS_DESCRIPTIONS = {200: "成功", 201: "已创建", 202: "已受理", 204: "已完成（无返回内容）"}


def _document_api_errors(app: Litestar) -> None:
    """Every API operation lists the errors it really gives, with the error body's schema."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if getattr(handler, "response_description", "") is None:  # not the English phrase
                handler.response_description = SUCCESS_DESCRIPTIONS.get(handler.status_code, "成功")
            if not route.path.startswith("/api/"):
                continue
            declared = route_access(handler)
            documented = error_responses(handler, writes=declared is not None and declared.writes)
            handler.responses = {**documented, **(handler.responses or {})}


def _check_access_declared(app: Litestar) -> None:
    """Every tenant route says who may call it and whether it writes; none is open by default."""
    for route in app.routes:
        if not route.path.startswith(("/t/{tenant", "/api/v1/t/{tenant")):
            continue
        for handler in getattr(route, "route_handlers", ()):
            if route_access(handler) is None and handler.http_methods != {"OPTIONS"}:
                raise ImproperlyConfiguredException(
                    f"{handler.name or handler} on {route.path} declares no access(...): "
                    "say which roles may call it and whether it writes"
                )


def create_app(settings: Settings | None = None, domains: Sequence[Domain] = DOMAINS) -> Litestar:
    settings = settings or get_settings()
    catalog = Catalog(domains)
    redis = Redis.from_url(
        settings.redis_url, socket_connect_timeout=1, socket_timeout=2, retry_on_timeout=False
    )

    async def on_startup(app: Litestar) -> None:
        app.state.redis = redis
        await db.start(settings, bounded=True)

    async def on_shutdown(app: Litestar) -> None:
        await db.stop()
        await redis.aclose()
        await jobs.close()

    static = create_static_files_router(
        path="/static",
        directories=[PACKAGE_DIR / "static"],
        file_system=StaticFiles(),
        include_in_schema=False,
    )
    app = Litestar(
        route_handlers=[
            health,
            ready,
            static,
            # Pages outside any tenant (sign-in, account): HTML, not part of the API.
            Router(path="/", route_handlers=catalog.collect("public"), include_in_schema=False),
            *tenant_routers(catalog),
        ],
        middleware=[CSRFMiddleware],
        before_send=[security_headers],
        dependencies={"catalog": Provide(lambda: catalog, use_cache=True, sync_to_thread=False)},
        template_config=TemplateConfig(engine=template_engine(settings, catalog)),
        exception_handlers=EXCEPTION_HANDLERS,
        after_exception=[remember_signed_in],
        request_class=WusongRequest,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=OpenAPIConfig(
            title="Wusong API",
            version="1",
            path="/schema",
            render_plugins=[docs_ui()],
            tags=[tag for domain in catalog.domains for tag in domain.api_tags],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
        request_max_body_size=MAX_BODY,
        debug=False,
    )
    app.state.catalog = catalog
    _check_access_declared(app)
    _document_api_errors(app)
    return app
