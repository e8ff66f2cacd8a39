"""Wusong application shell: settings, app factory, CLI, database and tenancy plumbing."""

import os

# Piccolo finds its engine through this module; every entry point (CLI, server, worker, tests)
# imports ``wusong`` first, so the tables always talk to the configured database.
os.environ.setdefault("PICCOLO_CONF", "wusong.piccolo_conf")
