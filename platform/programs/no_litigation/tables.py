"""No-litigation village: the pilot villages of a program and their counts per period."""

from piccolo.columns import UUID, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from programs.tables import Program
from tenants.tables import Area, Tenant


class PilotVillage(Table, tablename="nolit_villages"):
    """A village or community on a no-litigation program's pilot list, with its population.
    UNIQUE (tenant, program, area)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    area = ForeignKey(Area, null=False, index=True)
    population = Integer(default=0)  # residents
    households = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class LawsuitCount(Table, tablename="nolit_counts"):
    """One pilot village's counts for one period (a year or a quarter), and its evaluation.

    ``config_version`` is the rubric version the period is evaluated under (the one in force
    when the period's first count was entered); ``status`` (met | failed) and the ``failed_*``
    flags are that evaluation, kept when the rubric later changes. ``population`` is the
    village's population when the count was saved. UNIQUE (tenant, pilot, period_key).
    """

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    pilot = ForeignKey(PilotVillage, null=False, index=True)
    area = ForeignKey(Area, null=False, index=True)
    period_key = Varchar(length=7)
    period_start = Date()
    period_end = Date()
    lawsuits = Integer(default=0)
    disputes_received = Integer(null=True, default=None)
    disputes_settled = Integer(null=True, default=None)
    population = Integer(default=0)
    config_version = Integer(default=0)
    status = Varchar(length=8, default="met")
    failed_lawsuits = Integer(default=0)
    failed_rate = Integer(default=0)
    failed_settled = Integer(default=0)
    note = Varchar(length=200, default="")
    recorded_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
