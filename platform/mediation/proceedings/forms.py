"""The agreement page's form and the API's input: term rows (t1_…, t2_…) to TermIn and back,
and the use case's ``terms[0].amount`` errors named by the form's ``t1_amount``."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from mediation.proceedings.schemas import TERM_SLOTS, AgreementIn, AgreementRow, TermIn
from wusong.core.errors import Invalid


def agreement_values(agreement: AgreementRow) -> dict[str, Any]:
    """The agreement as the page's form values (term rows t1_…, t2_…)."""
    values: dict[str, Any] = {
        "facts": agreement.facts,
        "issues": agreement.issues,
        "responsibilities": agreement.responsibilities,
        "agreed_on": agreement.agreed_on or "",
        "version": agreement.version,
    }
    for slot, term in enumerate(agreement.terms[:TERM_SLOTS], 1):
        values[f"t{slot}_obligation"] = term.obligation
        values[f"t{slot}_obligor_id"] = term.obligor_id or ""
        values[f"t{slot}_amount"] = "" if term.amount is None else term.amount
        values[f"t{slot}_way"] = term.way
        values[f"t{slot}_place"] = term.place
        values[f"t{slot}_deadline"] = term.deadline or ""
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _day(text: str, field: str, label: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid({field: f"{label}格式无效（例如 2025-03-01）"}) from None


def _party(text: str, field: str, label: str) -> UUID | None:
    text = text.strip()
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        raise Invalid({field: f"{label}须为本案当事人"}) from None


def agreement_from_form(form: Any) -> tuple[AgreementIn, list[int]]:
    """The page's form as the API's input, and the form row (slot) of each term: a row left
    empty is no term."""
    terms, slots = [], []
    for slot in range(1, TERM_SLOTS + 1):
        raw = {name: str(getattr(form, f"t{slot}_{name}")).strip() for name in TermIn.labels}
        if not any(raw.values()):
            continue
        label = f"第{slot}项"
        terms.append(
            TermIn(
                obligation=raw["obligation"],
                obligor_id=_party(raw["obligor_id"], f"t{slot}_obligor_id", f"{label}义务人"),
                amount=raw["amount"] or None,  # type: ignore[arg-type]  # checked as text
                way=raw["way"],
                place=raw["place"],
                deadline=_day(raw["deadline"], f"t{slot}_deadline", f"{label}履行期限"),
            )
        )
        slots.append(slot)
    data = AgreementIn(
        facts=form.facts,
        issues=form.issues,
        responsibilities=form.responsibilities,
        agreed_on=_day(form.agreed_on, "agreed_on", "协议日期"),
        terms=terms,
    )
    return data, slots


def form_errors(error: Invalid, slots: list[int]) -> Invalid:
    """The use case's ``terms[0].amount`` as the form's ``t1_amount``."""
    renamed = {}
    for key, message in error.errors.items():
        if key.startswith("terms["):
            index, _, name = key.removeprefix("terms[").partition("].")
            key = f"t{slots[int(index)]}_{name}" if name else "t1_obligation"
        renamed[key] = message
    return Invalid(renamed)
