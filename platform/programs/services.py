"""Programs use cases: create and configure programs, assign staff, log activities.

They run inside their caller's unit of work and never open a transaction of their own.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import msgspec

from programs import repo
from programs.kinds import KIND_LABELS, decode_config
from programs.registry import KINDS
from programs.schemas import ProgramCreate, ProgramRow
from tenants import audit
from tenants.rules import clean_text
from tenants.tables import Area
from wusong.core.errors import FieldErrors
from wusong.core.scoped import require_owned
from wusong.core.tenancy import TenantContext


async def create_program(ctx: TenantContext, data: ProgramCreate) -> ProgramRow:
    """A new program in draft, with its first configuration version."""
    errors = FieldErrors()
    spec = KINDS.get(data.kind)  # type: ignore[call-overload]
    if spec is None:
        errors.add("kind", "项目类型须为：" + "、".join(KIND_LABELS.values()))
    name = clean_text(errors, "name", "项目名称", data.name, 80)
    host_org = clean_text(errors, "host_org", "承办单位", data.host_org, 80, required=False)
    if len(data.description) > 2000:
        errors.add("description", "简介不能超过 2000 个字")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.add("ends_on", "结束日期不能早于开始日期")
    for area_id in data.area_ids:
        await require_owned(ctx, Area, area_id, field="area_ids", label="覆盖区域")
    targets: dict[str, int] = {}
    if spec is not None:
        for key, value in data.targets.items():
            if key not in spec.targets:
                errors.add(f"targets.{key}", f"{spec.label}没有目标“{key}”")
            elif value < 0:
                errors.add(f"targets.{key}", f"{spec.targets[key]}的目标不能为负数")
            else:
                targets[key] = value
    config = decode_config(spec, data.config, errors) if spec is not None else None
    errors.raise_if_any()
    program_id = await repo.insert_program(
        ctx,
        {
            "id": uuid4(),
            "kind": data.kind,
            "name": name,
            "host_org": host_org,
            "description": data.description.strip(),
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
            "targets": targets,
        },
    )
    config_data: dict[str, Any] = msgspec.to_builtins(config)
    await repo.insert_config(ctx, program_id, 1, config_data)
    await repo.set_areas(ctx, program_id, list(data.area_ids))
    await audit.record(
        ctx, "program.create", "program", program_id, {"kind": data.kind, "name": name}
    )
    return await repo.get_program(ctx, program_id)
