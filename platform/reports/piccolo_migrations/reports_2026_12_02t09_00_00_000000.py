from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "documents: full_ids, the court's copies (court reviewers only)"


async def forwards():
    """A document made for a court reviewer carries full ID numbers: the document itself now
    says so (``full_ids``), so that only court reviewers read it and its versions form their own
    chain (the next migration sets it on the documents already made)."""
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Document",
        tablename="documents",
        column_name="full_ids",
        db_column_name="full_ids",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
