"""The life of a case: its statuses, the outcomes that close it, failure reasons, and the one
helper every use case calls before it changes a case (a refused step is a 409 naming the rule)."""

from __future__ import annotations

from collections.abc import Collection

from wusong.core.errors import Conflict

STATUSES: dict[str, str] = {
    "open": "调解中",
    "settled": "调解成功",
    "partly_settled": "部分达成",
    "failed": "调解不成",
    "withdrawn": "已撤回",
    "litigation": "转入诉讼",
}
OPEN = "open"
# Outcomes with agreed terms: the ones an agreement (and its confirmation) can belong to.
AGREED = frozenset({"settled", "partly_settled"})
CLOSED = frozenset(STATUSES) - {OPEN}
# The outcome of an open case may be recorded once; a failed mediation may still go to court.
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset(CLOSED),
    "failed": frozenset({"litigation"}),
    "settled": frozenset(),
    "partly_settled": frozenset(),
    "withdrawn": frozenset(),
    "litigation": frozenset(),
}
FAILURE_REASONS: dict[str, str] = {
    "party_withdrew": "一方当事人退出调解",
    "no_agreement": "双方未能达成一致",
    "unreachable": "当事人无法联系",
    "out_of_scope": "不属于人民调解受理范围",
    "other": "其他原因",
}


def require_status(status: str, allowed: Collection[str], rule: str) -> None:
    """Refuse (409) a step the case's status does not allow; ``rule`` says which rule, e.g.
    "已撤回的案件不能起草调解协议"."""
    if status not in allowed:
        raise Conflict(f"{rule}（案件当前状态：{STATUSES.get(status, status)}）")


def require_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise Conflict(
            f"案件状态不能从“{STATUSES.get(current, current)}”变为“{STATUSES.get(target, target)}”"
        )
