"""Red property rating: property complexes, their dated inspections and their complaints."""

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


class PropertyComplex(Table, tablename="red_property_complexes"):
    """A residential complex (小区) rated by the program, in a village/community of the tenant.

    ``rated_*``: the latest inspection (by date), kept here so lists filter on the current
    rating; the rating holds while ``rated_until`` has not passed.
    """

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    area = ForeignKey(Area, null=False, index=True)
    name = Varchar(length=80)
    address = Varchar(length=200, default="")
    company = Varchar(length=80, default="")
    households = Integer(default=0)
    active = Boolean(default=True)
    latest_inspection = UUID(null=True, default=None)
    rated_on = Date(null=True, default=None)
    rated_stars = Integer(null=True, default=None)
    rated_fee_level = Varchar(length=20, default="")
    rated_until = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Inspection(Table, tablename="red_property_inspections"):
    """A dated inspection signed by a property inspector, scored under one rubric version.

    Never rewritten: ``scores`` ([{name, weight, score}]), ``vetoes`` (names triggered) and the
    computed result stay as they were when a later rubric version changes the rules.
    """

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    property_complex = ForeignKey(PropertyComplex, null=False, index=True)
    inspected_on = Date()
    config_version = Integer()
    scores = JSON(default="[]")
    vetoes = JSON(default="[]")
    score = Integer()
    stars = Integer()
    fee_level = Varchar(length=20, default="")
    fee_ceiling_fen = Integer(null=True, default=None)
    valid_until = Date()
    notes = Text(default="")
    inspector = UUID(null=True, default=None)
    inspector_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Complaint(Table, tablename="red_property_complaints"):
    """A complaint about a complex; ``collective``: a group complaint (群体投诉)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    program = ForeignKey(Program, null=False, index=True)
    property_complex = ForeignKey(PropertyComplex, null=False, index=True)
    received_on = Date()
    category = Varchar(length=20)
    collective = Boolean(default=False)
    summary = Varchar(length=500, default="")
    status = Varchar(length=12, default="open")  # open | handled
    recorded_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
