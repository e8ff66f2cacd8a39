"""Page forms of the case core: the intake form's flat fields become the use case's input, and
the use case's errors come back under the form's field names."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from mediation import services
from mediation.schemas import (
    CaseCreate,
    CaseEdit,
    CaseForm,
    CaseRow,
    CaseUpdate,
    MediatorAssignForm,
    PartyEdit,
    PartyIn,
    Referral,
    SettingsForm,
)
from wusong.core.errors import FieldErrors, Invalid
from wusong.core.tenancy import TenantContext

_PARTY_FIELDS = ("kind", "name", "id_number", "mobile", "address")


def form_uuid(errors: FieldErrors, field: str, label: str, value: str) -> UUID | None:
    if not value.strip():
        return None
    try:
        return UUID(value.strip())
    except ValueError:
        errors.add(field, f"{label}无效")
        return None


def form_day(errors: FieldErrors, field: str, label: str, value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.add(field, f"{label}不是有效的日期")
        return None


def _form_field(key: str) -> str:
    """The intake form's field for an error of the use case's input."""
    for index, role in ((0, "applicant"), (1, "respondent")):
        prefix = f"parties[{index}]."
        if key.startswith(prefix):
            return f"{role}_{key[len(prefix) :]}"
    if key.startswith("referral."):
        return key[len("referral.") :]
    if key == "parties":
        return "applicant_name"
    return key


async def open_case(ctx: TenantContext, form: CaseForm) -> CaseRow:
    """The intake page's case: one applicant, one respondent, and the referral of a court case."""
    errors = FieldErrors()
    village_id = form_uuid(errors, "village_id", "村（社区）", form.village_id)
    program_id = form_uuid(errors, "program_id", "所属项目", form.program_id)
    accepted_on = form_day(errors, "accepted_on", "受理日期", form.accepted_on)
    referral_date = form_day(errors, "referral_date", "委派日期", form.referral_date)
    errors.raise_if_any()
    parties = [
        PartyIn(role=role, **{f: getattr(form, f"{role}_{f}") for f in _PARTY_FIELDS})
        for role in ("applicant", "respondent")
    ]
    referral = None
    if form.source == "court":
        referral = msgspec.convert(
            {"referring_court": form.referring_court, "court_ref_no": form.court_ref_no,
             "referral_date": referral_date, "procedure": form.procedure or "classic"},
            Referral,
        )  # fmt: skip
    data = CaseCreate(
        category=form.category, source=form.source, facts=form.facts, village_id=village_id,
        program_id=program_id, title=form.title, claims=form.claims, accepted_on=accepted_on,
        parties=parties, referral=referral,
    )  # fmt: skip
    try:
        return await services.create_case(ctx, data)
    except Invalid as error:
        raise Invalid({_form_field(k): v for k, v in error.errors.items()}) from error


async def edit_case(ctx: TenantContext, case_id: UUID, form: CaseEdit) -> CaseRow:
    errors = FieldErrors()
    village_id = form_uuid(errors, "village_id", "村（社区）", form.village_id)
    program_id = form_uuid(errors, "program_id", "所属项目", form.program_id)
    errors.raise_if_any()
    data = CaseUpdate(
        category=form.category, facts=form.facts, village_id=village_id,
        program_id=program_id, title=form.title, claims=form.claims,
    )  # fmt: skip
    return await services.update_case(ctx, case_id, data, form.version)


async def assign(ctx: TenantContext, case_id: UUID, form: MediatorAssignForm) -> CaseRow:
    errors = FieldErrors()
    mediator_id = form_uuid(errors, "mediator_id", "承办调解员", form.mediator_id)
    errors.raise_if_any()
    return await services.assign_mediator(ctx, case_id, mediator_id, form.version)


async def save_settings(ctx: TenantContext, form: SettingsForm) -> Any:
    current = await services.settings(ctx)
    values = {k: v for k, v in msgspec.structs.asdict(form).items() if k != "version"}
    config = msgspec.structs.replace(current.config, **values)
    return await services.save_settings(ctx, config, form.version, prefix="")


def party_in(form: PartyEdit) -> PartyIn:
    return PartyIn(
        role=form.role, name=form.name, kind=form.kind, id_number=form.id_number,
        mobile=form.mobile, address=form.address, agent_name=form.agent_name,
        agent_mobile=form.agent_mobile,
    )  # fmt: skip


def party_values(party: Any) -> dict[str, Any]:
    """A party's form values (the ID number is never sent back: empty keeps it)."""
    names = ("role", "kind", "name", "mobile", "address", "agent_name", "agent_mobile")
    return {name: getattr(party, name) for name in names}
