"""No code under platform/ queries a tenant table except through wusong.core.scoped.

A tenant table is any Piccolo table with a ``tenant`` column, so tables of later domains are
covered as soon as they exist. Two ways of reaching one are looked for:
- a query method on the table class (``Area.select``, ``Membership.raw``, ...);
- SQL text naming the table (``FROM areas``, ``JOIN memberships``) outside a TenantStatement.
ALLOWED names the few places that must work before a tenant is known, or across tenants on
purpose, and the SQL fragments a TenantStatement is composed of; each says why. Migrations are
not scanned (they build the tables).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.factories import ROOT_DIR

PLATFORM = ROOT_DIR / "platform"
QUERY_METHODS = {
    "select", "objects", "insert", "update", "delete", "count", "exists", "raw", "alter",
}  # fmt: skip
ALLOWED: dict[tuple[str, str], str] = {
    (
        "tenants.sessions",
        "_SESSION_SQL",
    ): "authentication: one statement before the tenant is known",
    ("tenants.sessions", "_TOKEN_SQL"): "authentication: one statement before the tenant is known",
    ("tenants.sessions", "resolve_principal"): "authentication: a token of another tenant is a 404",
    ("tenants.sessions", "touch"): "authentication bookkeeping: last use of the credential by id",
    ("tenants.sessions", "user_can_sign_in"): "sign-in: memberships in any tenant",
    ("tenants.sessions", "user_tenants"): "the county switcher: the user's memberships everywhere",
    ("tenants.sessions", "city_memberships"): "the city overview: the user's viewer/admin counties",
    ("tenants.sessions", "membership_tenants"): "security events go to every county of the user",
    ("tenants.repo", "list_tenants"): "platform operator: member counts across tenants",
    ("tenants.repo", "other_active_memberships"): "the reset guard counts *other* tenants",
    ("tenants.repo", "memberships_elsewhere"): "the identity guard counts *other* tenants",
    ("tenants.repo", "user_membership_tenants"): "platform operator: a user's tenants",
    # Fragments composed into a TenantStatement (one per filter shape), which checks at its first
    # use that every table it reads has its own tenant predicate.
    ("mediation.repo", "_PARTY"): "a condition of the case list's TenantStatement",
    ("mediation.repo", "_COURT_SCOPE"): "a condition of the case list's TenantStatement",
    ("reports.documents.repo", "_VERIFY_SQLITE"): "public verification: a document of any county",
    ("reports.indicators.cases", "_monthly_statement"): "builds the TenantStatement it returns",
}
SKIPPED = {"wusong/core/scoped.py", "wusong/core/ddl.py"}  # the helper itself; migration DDL


def tenant_tables() -> dict[str, str]:
    """Class name → table name of every tenant table."""
    from piccolo.conf.apps import Finder

    from wusong.core.scoped import is_tenant_table

    return {
        t.__name__: t._meta.tablename for t in Finder().get_table_classes() if is_tenant_table(t)
    }


class Finder(ast.NodeVisitor):
    def __init__(self, module: str, classes: dict[str, str]) -> None:
        self.module = module
        self.classes = classes
        tables = "|".join(classes.values())
        self.sql = re.compile(rf'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?(?:{tables})\b', re.IGNORECASE)
        self.scope = ["<module>"]
        self.statement_names: set[str] = set()
        self.found: list[tuple[str, int, str]] = []

    def _enter(self, name: str, node: ast.AST) -> None:
        self.scope.append(name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._enter(node.name, node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._enter(node.name, node)

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if len(self.scope) == 1 and names:
            self._enter(names[0], node)  # a module constant: allowed by its name
        else:
            self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "TenantStatement":
            for name in ast.walk(node):
                if isinstance(name, ast.Name):
                    self.statement_names.add(name.id)
            return  # checked by TenantStatement itself, at its first use
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if (
            isinstance(node.value, ast.Name)
            and node.value.id in self.classes
            and node.attr in QUERY_METHODS
        ):
            self._report(node.lineno, f"{node.value.id}.{node.attr}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and self.sql.search(node.value):
            self._report(node.lineno, f"SQL: {self.sql.search(node.value).group(0)}")  # type: ignore[union-attr]

    def _report(self, line: int, what: str) -> None:
        self.found.append((self.scope[-1], line, what))


def unscoped_queries() -> list[str]:
    classes = tenant_tables()
    problems = []
    for path in sorted(PLATFORM.rglob("*.py")):
        relative = path.relative_to(PLATFORM).as_posix()
        if "piccolo_migrations" in relative or relative in SKIPPED:
            continue
        module = relative.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        finder = Finder(module, classes)
        finder.visit(ast.parse(path.read_text(), filename=str(path)))
        for scope, line, what in finder.found:
            if scope in finder.statement_names or (module, scope) in ALLOWED:
                continue
            problems.append(f"{relative}:{line} in {scope}: {what}")
    return problems


def test_tenant_tables_are_queried_only_through_the_scoped_helpers() -> None:
    problems = unscoped_queries()
    assert not problems, (
        "query tenant tables with wusong.core.scoped (scoped(ctx, T), insert(ctx, T, ...), "
        "TenantStatement), or add the place to ALLOWED with the reason:\n" + "\n".join(problems)
    )


def test_the_allow_list_names_only_places_that_exist() -> None:
    """An entry left behind by a refactor would silently allow the next thing of that name."""
    classes = tenant_tables()
    seen = set()
    for module, _ in ALLOWED:
        path = PLATFORM / (module.replace(".", "/") + ".py")
        finder = Finder(module, classes)
        finder.visit(ast.parse(path.read_text()))
        seen |= {(module, found_scope) for found_scope, _, _ in finder.found}
    assert set(ALLOWED) <= seen, sorted(set(ALLOWED) - seen)


def test_the_lint_sees_a_forgotten_filter(tmp_path: Path) -> None:
    """The check itself: an unscoped select and raw SQL on a tenant table are both found."""
    source = (
        "from tenants.tables import Membership\n"
        "async def list_members(ctx):\n"
        "    return await Membership.select().where(Membership.active == True)\n"
        "async def count(ctx):\n"
        "    return await Membership.raw('SELECT COUNT(*) FROM memberships')\n"
    )
    finder = Finder("tenants.repo", tenant_tables())
    finder.visit(ast.parse(source))
    assert {(scope, what) for scope, _, what in finder.found} == {
        ("list_members", "Membership.select"),
        ("count", "Membership.raw"),
        ("count", "SQL: FROM memberships"),
    }


def test_every_tenant_statement_scopes_its_tables() -> None:
    """Module-level TenantStatements are checked now, not at their first request."""
    import importlib

    from wusong.core.scoped import TenantStatement

    checked = 0
    for path in sorted(PLATFORM.rglob("*.py")):
        relative = path.relative_to(PLATFORM).as_posix()
        if "piccolo_migrations" in relative or "TenantStatement(" not in path.read_text():
            continue
        module = importlib.import_module(relative.removesuffix(".py").replace("/", "."))
        for value in vars(module).values():
            candidates = value.values() if isinstance(value, dict) else [value]
            for candidate in candidates:
                if isinstance(candidate, TenantStatement):
                    candidate.check()
                    checked += 1
    assert checked >= 4
