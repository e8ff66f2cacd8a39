"""Piccolo app of the mediation domain: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="mediation",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["mediation.tables"], exclude_imported=True),
    migration_dependencies=["programs.piccolo_app"],
    commands=[],
)
