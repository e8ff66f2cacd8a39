"""Tenant pages: the per-request View (navigation computed once) and the form-page helper.

A handler asks for ``view: ViewDep`` and renders with it; a form route declares its FormPage in
``access(..., form=...)`` and hands the submitted data to ``view.submit``, which parses it into
the use case's input struct, runs the use case and, on Invalid, re-renders the form with each
field's message (422, nothing written). Handlers never catch Invalid.

An edit form that lost an optimistic-locking race (the use case raised PreconditionFailed) comes
back too, with 409: what the user typed, the row's new version (so saving again is a deliberate
overwrite), and each field where the user's value and the current value differ named with both.
The current values are read by the form's ``current`` hook, or else from the one row with a
``version`` that the form's ``context`` loads (the edited row). The API keeps its 412.

    AREA_FORM = FormPage(AreaCreate, "tenants/area_form.html", context=area_form_options)

    @post("/areas/new", name="areas.create", opt=access(ADMIN, writes=True, form=AREA_FORM))
    async def area_create(self, view: ViewDep, data: Form) -> Redirect:
        area = await view.submit(data, services.create_area)
        return redirect(view.url(f"/areas#area-{area.id}"), "已新增")
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Template

from wusong.core.api import whole_number
from wusong.core.db import current_unit
from wusong.core.domain import Catalog, NavEntry
from wusong.core.errors import Invalid, PreconditionFailed, ProgrammingError
from wusong.core.tenancy import TenantContext
from wusong.core.web import page, redirect, route_access

S = TypeVar("S", bound=msgspec.Struct)
R = TypeVar("R")

# Loads the tenants a signed-in user may switch to (provided by the tenants domain).
Switcher = Callable[[TenantContext], Awaitable[Sequence[Any]]]


@dataclass(frozen=True)
class Nav:
    """The tenant navigation of one page: links for the member's role, and the county switcher."""

    base: str
    entries: tuple[NavEntry, ...]
    tenants: Sequence[Any] = ()


def error_nav(request: Request[Any, Any, Any], ctx: TenantContext) -> Nav:
    """The navigation on an error page: no switcher, which would need the database."""
    catalog: Catalog = request.app.state.catalog
    return Nav(base=f"/t/{ctx.tenant_slug}", entries=catalog.nav_for(ctx.role))


class FormRejected(Exception):
    """Raised by View.submit with the re-rendered form; mapped to that response as it is."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__("form rejected")
        self.response = response


FormContext = Callable[["View", dict[str, str]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class FormPage(Generic[S]):
    """One HTML form: the use case's input struct and where its errors are shown.

    With ``template`` the form is re-rendered with the submitted values and a message per field;
    ``context`` loads what the template needs besides them (select options, the edited row).
    Without a template (a button), the errors go back to ``back`` as a flash message.
    """

    input: type[S]
    template: str | None = None
    context: FormContext | None = None
    back: Callable[[View], str] | None = None
    secret: frozenset[str] = frozenset({"password", "current_password", "new_password"})
    current: Callable[[View], Awaitable[Mapping[str, Any]]] | None = None
    version_field: str = "version"

    def echo(self, data: Mapping[str, str]) -> dict[str, str]:
        """What the user typed, to show again; passwords are never sent back."""
        return {k: v for k, v in data.items() if k not in self.secret and not k.startswith("_")}


# The field an error is about: ``$.name`` or ``$.name[0]`` (an item of a list), or a missing one.
_ERROR_FIELD = re.compile(r"`\$\.(\w+)[^`]*`|missing required field `(\w+)`")


def _as_form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _row_values(
    struct: type[msgspec.Struct], context: Mapping[str, Any], version_field: str
) -> dict[str, Any]:
    """The edited row's version and values of the form's fields: the one Struct with a version
    in ``context`` (what the form's context loaded)."""
    rows = [
        value
        for value in context.values()
        if isinstance(value, msgspec.Struct) and hasattr(value, version_field)
    ]
    if len(rows) != 1:
        raise ProgrammingError(
            f"{struct.__name__} form lost a race but cannot tell the current values: "
            "give its FormPage current=..."
        )
    names = {spec.name for spec in msgspec.structs.fields(struct)} | {version_field}
    return {name: getattr(rows[0], name) for name in names if hasattr(rows[0], name)}


CONFLICT = "_conflict"  # the error summary's key for "someone else saved first" (no field)


def conflict_errors(
    struct: type[msgspec.Struct],
    submitted: Mapping[str, str],
    current: Mapping[str, Any],
    version_field: str = "version",
) -> dict[str, str]:
    """One message per field whose submitted value differs from the current one, and a summary."""
    labels: dict[str, str] = getattr(struct, "labels", {})
    errors: dict[str, str] = {}
    for name, value in current.items():
        if name not in submitted or name == version_field:
            continue
        theirs, now = submitted[name].strip(), _as_form_value(value)
        if theirs != now:
            errors[name] = f"{labels.get(name, name)}：您填写的是“{theirs}”，当前为“{now}”"
    summary = "保存前，这条记录已被他人修改。您填写的内容保留在下方" + (
        "；与当前值不同的字段如下。" if errors else "，与当前值一致。"
    )
    summary += "核对后再次保存，将以您填写的内容为准。"
    return {CONFLICT: summary, **errors}


def parse_form(struct: type[S], data: Mapping[str, str]) -> S:
    """Form values (all text) into the input struct; an empty optional field takes its default.

    Unknown fields (the CSRF token, buttons) are ignored; a value of the wrong shape is an
    Invalid naming the field with its Chinese label (``labels`` on the struct).
    """
    values: dict[str, str] = {}
    numbers: set[str] = set()
    for spec in msgspec.structs.fields(struct):
        raw = data.get(spec.encode_name)
        if raw is None or (raw == "" and not spec.required):
            continue
        if _is_number(spec.type):
            # Chinese keyboards type full-width digits (３０): a number is read after NFKC.
            raw = unicodedata.normalize("NFKC", raw).strip()
            numbers.add(spec.name)
        values[spec.name] = raw
    try:
        return msgspec.convert(values, struct, strict=False)
    except msgspec.ValidationError as error:
        match = _ERROR_FIELD.search(str(error))
        name = (match.group(1) or match.group(2)) if match else "form"
        label = getattr(struct, "labels", {}).get(name, name)
        if "missing required field" in str(error):
            message = f"{label}不能为空"
        elif name in numbers:
            message = f"{label}应填写整数"
        else:
            message = f"{label}格式无效"
        raise Invalid({name: message}) from None


def _is_number(annotation: Any) -> bool:
    """An int field, optional, constrained or not (``int | None``, ``Annotated[int, ...]``)."""
    return annotation is int or any(_is_number(arg) for arg in get_args(annotation))


async def run_form(
    request: Request[Any, Any, Any],
    template: str,
    values: Mapping[str, str],
    action: Awaitable[R],
    **context: Any,
) -> R:
    """Await a use case for a page outside any tenant; on Invalid, show ``template`` again.

    Such use cases own their units of work (sign-in, password change), so nothing is left to
    roll back here. Tenant pages use ``View.submit``, which also knows the navigation.
    """
    try:
        return await action
    except Invalid as error:
        response = page(
            request, template, error.status_code, form=dict(values), errors=error.errors, **context
        )
        raise FormRejected(response) from error
    except PreconditionFailed as error:  # no row to compare with here: keep the input, say why
        errors = {CONFLICT: error.message}
        response = page(request, template, 409, form=dict(values), errors=errors, **context)
        raise FormRejected(response) from error


class View:
    """The tenant page being answered. Renders templates with the navigation (computed once).

    (A plain class, not a dataclass: Litestar would try to validate a dataclass dependency.)
    """

    def __init__(
        self,
        request: Request[Any, Any, Any],
        ctx: TenantContext,
        catalog: Catalog,
        switcher: Switcher,
    ) -> None:
        self.request = request
        self.ctx = ctx
        self.catalog = catalog
        self.switcher = switcher
        self._nav: Nav | None = None

    @property
    def base(self) -> str:
        return f"/t/{self.ctx.tenant_slug}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    async def nav(self) -> Nav:
        if self._nav is None:
            self._nav = Nav(
                base=self.base,
                entries=self.catalog.nav_for(self.ctx.role),
                tenants=await self.switcher(self.ctx),
            )
        return self._nav

    async def render(self, template: str, *, status_code: int = 200, **context: Any) -> Template:
        return page(
            self.request, template, status_code, ctx=self.ctx, nav=await self.nav(), **context
        )

    # ---- forms ---------------------------------------------------------------------------

    def form_page(self) -> FormPage[Any]:
        declared = route_access(self.request.route_handler)
        if declared is None or declared.form is None:
            raise ProgrammingError(
                f"{self.request.route_handler.name} renders a form but declares none: "
                "access(..., form=...)"
            )
        return declared.form

    async def show_form(
        self,
        values: Mapping[str, Any],
        *,
        status_code: int = 200,
        errors: Mapping[str, str] | None = None,
        loaded: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> Template:
        """The route's form, filled with ``values``.

        ``loaded`` is what the form's ``context`` would load, when the handler already has it
        (the row it read to fill the form), so it is not read twice.
        """
        form = self.form_page()
        if form.template is None:
            raise ProgrammingError(f"{type(form.input).__name__} form has no template to show")
        if loaded is not None:
            context = dict(loaded)
        else:
            context = await form.context(self, dict(values)) if form.context else {}
        return await self.render(
            form.template,
            status_code=status_code,
            form=dict(values),
            errors=dict(errors or {}),
            **context,
            **extra,
        )

    async def submit(
        self, data: Mapping[str, str], use_case: Callable[..., Awaitable[R]], *args: Any
    ) -> R:
        """Parse the form into the route's input struct and run ``use_case(ctx, *args, input)``.

        On Invalid the unit of work is marked for rollback and the form comes back with its
        errors (or the flash message, for a button), through FormRejected.
        """
        form = self.form_page()
        try:
            return await use_case(self.ctx, *args, parse_form(form.input, data))
        except Invalid as error:
            current_unit().set_rollback_only()
            if form.template is not None:
                response: Response[Any] = await self.show_form(
                    form.echo(data), status_code=error.status_code, errors=error.errors
                )
            elif form.back is not None:
                response = redirect(form.back(self), error.message, "error")
            else:  # pragma: no cover - a FormPage has a template or a way back
                raise
            raise FormRejected(response) from error
        except PreconditionFailed as error:
            current_unit().set_rollback_only()
            if form.template is not None:
                response = await self._lost_race(form, data)
            elif form.back is not None:
                response = redirect(form.back(self), error.message, "error")
            else:  # pragma: no cover - a FormPage has a template or a way back
                raise
            raise FormRejected(response) from error

    async def _lost_race(self, form: FormPage[Any], data: Mapping[str, str]) -> Template:
        """The edit form again (409): the user's input, the current version, what differs."""
        echo = form.echo(data)
        context = await form.context(self, echo) if form.context else {}
        if form.current is not None:
            current = dict(await form.current(self))
        else:
            current = _row_values(form.input, context, form.version_field)
        values = {**echo, form.version_field: _as_form_value(current[form.version_field])}
        return await self.render(
            form.template or "",
            status_code=409,
            form=values,
            errors=conflict_errors(form.input, echo, current, form.version_field),
            **context,
        )


ViewDep = NamedDependency[View]


# ---- forms with checkboxes ------------------------------------------------------------------

# A form with checkboxes: a field sent several times arrives as a list.
CheckboxForm = URLEncodedBody[dict[str, str | list[str]]]


async def checked(view: View, data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The form's single values as text, and every value of the multi-valued fields ``names``
    (checkboxes) as lists; a value may also list several ids separated by commas."""
    form = await view.request.form()
    values: dict[str, Any] = {
        key: value if isinstance(value, str) else (value[-1] if value else "")
        for key, value in data.items()
    }
    for name in names:
        values[name] = [
            _id_text(part)
            for raw in form.getall(name, [])
            for part in str(raw).split(",")
            if part.strip()
        ]
    return values


_NO_ROW = "00000000-0000-0000-0000-000000000000"


def _id_text(value: str) -> str:
    """An id as sent, or (not an id at all) one that matches no row, so the use case's
    ownership check names the field like for any id that is not this tenant's."""
    try:
        return str(UUID(value.strip()))
    except ValueError:
        return _NO_ROW


def view_provider(switcher: Switcher) -> Callable[..., Awaitable[View]]:
    """The ``view`` dependency of the tenant page router, with the domain's county switcher."""

    async def provide_view(
        request: Request[Any, Any, Any], ctx: NamedDependency[TenantContext]
    ) -> View:
        return View(request, ctx, request.app.state.catalog, switcher)

    return provide_view


# ---- long lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    """Which page of a long list, and the links to its neighbours (the filters kept)."""

    number: int
    offset: int
    prev_url: str | None = None
    next_url: str | None = None


def list_page(page: str, size: int) -> ListPage:
    """Page ``page`` (as typed in the query; 1 when it is not a number) of ``size`` rows."""
    number = max(1, min(whole_number(page, default=1), 10_000))
    return ListPage(number, (number - 1) * size)


def with_neighbours(view: View, at: ListPage, has_more: bool) -> ListPage:
    """The page with links to the previous and next pages of the same filtered list."""

    def url(number: int) -> str:
        query = {k: v for k, v in view.request.query_params.items() if k != "page"}
        return "?" + urlencode({**query, "page": str(number)})

    return ListPage(
        at.number,
        at.offset,
        prev_url=url(at.number - 1) if at.number > 1 else None,
        next_url=url(at.number + 1) if has_more else None,
    )
