"""Village rules: each village's rule set, its versions with their lifecycle steps, and the
banquet declarations (宴席申报) checked against the version in force on the banquet's day."""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from programs.tables import Program
from tenants.tables import Area, Tenant


class RuleSet(Table, tablename="village_rule_sets"):
    """A village's rules (村规民约) in a program. UNIQUE (tenant, program, village)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    village = ForeignKey(Area, null=False, index=True)
    title = Varchar(length=80)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class RuleVersion(Table, tablename="village_rule_versions"):
    """One version of a rule set: articles (text, ordered) and quantitative clauses (data).

    ``status``: draft → reviewed → voted → filed → published (a returned review or a failed
    vote goes back to draft). A published version is in force from ``effective_from`` until a
    later published version's effective date. UNIQUE (tenant, rule_set, version_no).
    """

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    rule_set = ForeignKey(RuleSet, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    village = ForeignKey(Area, null=False, index=True)
    version_no = Integer()
    status = Varchar(length=12, default="draft")
    articles = JSON(default="[]")  # ["第一条的文字", "第二条的文字", …]
    # Quantitative clauses, each naming the article (1-based) it belongs to; NULL: no limit.
    occasions = JSON(default="[]")  # allowed banquet occasions ([] : no restriction)
    occasions_article = Integer(null=True, default=None)
    max_tables = Integer(null=True, default=None)
    max_tables_article = Integer(null=True, default=None)
    max_fen_per_table = Integer(null=True, default=None)
    max_fen_article = Integer(null=True, default=None)
    venue = Varchar(length=60, default="")  # required venue ("" : any)
    venue_article = Integer(null=True, default=None)
    last_step_on = Date(null=True, default=None)  # the latest step's date (steps go forward)
    published_on = Date(null=True, default=None)
    effective_from = Date(null=True, default=None)
    filing_no = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class RuleStep(Table, tablename="village_rule_steps"):
    """One dated lifecycle step of a version, with who recorded it and its details (a review
    opinion, the vote's counts, the filing authority and number, the effective date)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    rule_version = ForeignKey(RuleVersion, null=False, index=True)
    kind = Varchar(length=20)
    occurred_on = Date()
    details = JSON(default="{}")
    recorded_by = UUID(null=True, default=None)
    recorded_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class BanquetDeclaration(Table, tablename="village_banquet_declarations"):
    """A declared banquet (宴席申报), checked when recorded against the version in force on its
    day: ``rule_version`` (NULL: none in force), ``within_limits`` and ``findings`` (each broken
    clause, e.g. "第五条：每桌不超过300元（申报350元）")."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    village = ForeignKey(Area, null=False, index=True)
    household_head = Varchar(length=40)  # personal data: shown masked in lists
    occasion = Varchar(length=10)
    banquet_on = Date()
    tables = Integer()
    fen_per_table = Integer()
    venue = Varchar(length=60, default="")
    note = Text(default="")
    rule_version = ForeignKey(RuleVersion, null=True, index=True)
    within_limits = Boolean(default=False)
    findings = JSON(default="[]")
    recorded_by = UUID(null=True, default=None)
    recorded_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
