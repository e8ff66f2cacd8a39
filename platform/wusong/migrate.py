"""Apply Piccolo migrations of every domain app, forwards, on SQLite or PostgreSQL."""

from __future__ import annotations

from piccolo.apps.migrations.commands.forwards import run_forwards

from wusong.core.db import get_engine
from wusong.core.errors import DomainError


async def migrate_all() -> None:
    engine = get_engine()
    if engine.engine_type == "sqlite":
        # WAL lets readers run while one writer commits; it is a property of the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    result = await run_forwards("all")
    if not result.success:
        raise DomainError(f"migration failed: {result.message}")
