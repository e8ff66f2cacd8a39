"""Piccolo app of the reports domain: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from reports.tables import Document, ReportRequest

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[ReportRequest, Document],
    migration_dependencies=["mediation.piccolo_app"],
    commands=[],
)
