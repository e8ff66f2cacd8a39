"""Piccolo configuration: the engine comes from the one settings object."""

from piccolo.conf.apps import AppRegistry

from wusong.core.db import build_engine
from wusong.core.settings import get_settings

DB = build_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "tenants.piccolo_app",
        "programs.piccolo_app",
        "mediation.piccolo_app",
        "reports.piccolo_app",
    ]
)
