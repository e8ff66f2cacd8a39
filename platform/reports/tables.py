"""Tables of the reports domain: report requests (the outbox of the PDF jobs) and the documents
they produce. Both are tenant tables (``wusong.core.ddl.tenant_table`` in the migration)."""

from piccolo.columns import JSON, UUID, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from tenants.tables import Tenant


class ReportRequest(Table, tablename="report_requests"):
    """A request for a document, written in the transaction of the action that asks for it and
    enqueued after its commit (job id = this id and the attempt); a cron sweep enqueues what is
    still queued later, so a Redis outage loses nothing. queued → rendering → ready | failed."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    kind = Varchar(length=20)  # agreement | case_file | program | tenant | city
    # the case or program; none for a tenant report; the asker for a city report (theirs alone)
    subject = UUID(null=True, default=None)
    period_from = Date(null=True, default=None)
    period_to = Date(null=True, default=None)
    status = Varchar(length=20, default="queued")
    error = Text(default="")  # why it failed (Chinese, readable)
    attempts = Integer(default=0)  # renders started
    full_ids = Integer(default=0)  # 1: the court's copy, with full ID numbers
    requested_by = UUID(null=True, default=None)
    requested_by_name = Varchar(length=40, default="")
    document = UUID(null=True, default=None)  # the document it produced
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Document(Table, tablename="documents"):
    """A rendered PDF: never overwritten. A new rendering of the same subject is a new version
    that supersedes the previous one. ``token_hash`` is the SHA-256 of the verification token
    (≥ 128 random bits, in the QR code); ``short_code`` the code printed beside it."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    request = UUID()
    kind = Varchar(length=20)
    subject = UUID(null=True, default=None)
    period_from = Date(null=True, default=None)
    period_to = Date(null=True, default=None)
    number = Varchar(length=60, default="")
    title = Varchar(length=120, default="")
    doc_version = Integer(default=1)
    supersedes = UUID(null=True, default=None)
    superseded_by = UUID(null=True, default=None)
    sha256 = Varchar(length=64)
    size = Integer(default=0)
    pages = Integer(default=0)
    template_version = Varchar(length=20, default="")
    storage_key = Varchar(length=200)
    token_hash = Varchar(length=64)
    short_code = Varchar(length=16)
    parties = JSON(default="[]")  # masked names, for the verification page
    chain_seq = Integer(default=0)  # the tenant's audit-chain head when it was issued
    chain_hash = Varchar(length=64, default="")
    requested_by_name = Varchar(length=40, default="")
    issued_at = Timestamptz(default=TimestamptzNow())
    # 1: the court's copy with full ID numbers — court reviewers alone read it (each download
    # an audit event), and its versions are a chain of their own
    full_ids = Integer(default=0)
