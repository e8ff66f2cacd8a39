"""Piccolo app of the programs domain: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="programs",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(
        modules=[
            "programs.tables",
            "programs.no_litigation.tables",
            "programs.red_property.tables",
            "programs.village_rules.tables",
        ],
        exclude_imported=True,
    ),
    migration_dependencies=["tenants.piccolo_app"],
    commands=[],
)
