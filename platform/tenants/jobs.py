"""Background housekeeping of the tenants domain (arq cron jobs)."""

from __future__ import annotations

import logging
from typing import Any

from tenants import audit, sessions
from wusong.core.db import unit_of_work
from wusong.core.settings import get_settings

log = logging.getLogger("wusong.jobs")


async def purge_expired_credentials(ctx: dict[str, Any]) -> dict[str, int]:
    """Delete expired sessions and login attempts older than the throttling window."""
    settings = get_settings()
    async with unit_of_work(writes=True):
        expired = await sessions.purge_expired_sessions(settings)
        attempts = await sessions.purge_old_login_attempts(settings)
    log.info("purged %d expired sessions and %d old login attempts", expired, attempts)
    return {"sessions": expired, "login_attempts": attempts}


async def anchor_audit_chains(ctx: dict[str, Any]) -> dict[str, int]:
    """Record every tenant's audit chain head in the anchor log outside the database."""
    heads = await audit.anchor_heads()
    log.info("anchored the audit chains of %d tenants", len(heads))
    return {"tenants": len(heads)}
