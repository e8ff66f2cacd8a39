"""Pilot programs (一地一特色): the program, its versioned configuration, the areas it covers,
the members who staff it, and the activity log of studios, shared courts and help teams.

Each program type's own records (no-litigation villages, red-property ratings, village rules)
live in that type's sub-package (``programs/<type>/tables.py``).
"""

from piccolo.columns import JSON, UUID, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from tenants.tables import Area, Membership, Tenant


class Program(Table, tablename="programs"):
    """One pilot program of a tenant: a type (``programs.kinds.ProgramKind``), what it covers,
    who hosts it, when it runs, its targets and its current configuration version."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    kind = Varchar(length=30)
    name = Varchar(length=80)
    host_org = Varchar(length=80, default="")
    description = Text(default="")
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)
    status = Varchar(length=12, default="draft")  # draft → active → closed
    targets = JSON(default="{}")  # indicator key → target number for the program's period
    config_version = Integer(default=0)  # version_no of the ProgramConfig in force (0: none yet)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class ProgramConfig(Table, tablename="program_configs"):
    """One version of a program's typed configuration (its rubric, for rated types).

    Never updated: a change is a new version, so what was rated or computed under an earlier
    version keeps pointing at it. UNIQUE (tenant, program, version_no) in the migration.
    """

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    version_no = Integer()
    config = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=40, default="")


class ProgramArea(Table, tablename="program_areas"):
    """A township or village a program covers. UNIQUE (tenant, program, area)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    area = ForeignKey(Area, null=False, index=True)


class ProgramMember(Table, tablename="program_members"):
    """A member who staffs a program (may record its activities and records).
    UNIQUE (tenant, program, membership)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    membership = ForeignKey(Membership, null=False, index=True)


class Activity(Table, tablename="program_activities"):
    """A logged service of a studio, shared court or help team: a legal consultation, a
    post-judgment Q&A, a legal-education session … with the number of people served."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    area = ForeignKey(Area, null=True, index=True)
    kind = Varchar(length=30)
    occurred_on = Date()
    people = Integer(default=1)
    note = Varchar(length=200, default="")
    recorded_by = UUID(null=True, default=None)
    recorded_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
