"""分案: which handler each unassigned case is proposed to, under the court's rule.

The team lead sets one rule (设置 → 分案): by tribunal area (the obligor's township → the tribunal
whose area it is → that tribunal's handlers), by cause (each cause → its handlers), round-robin,
or balanced by each handler's open workload. Livelihood cases (涉民生) are always proposed first,
so that under a balanced rule they go to the handlers with the least work. Among several handlers
a rule allows, the one with the fewest open cases (counting those proposed in this run) gets the
case; a case the rule cannot place is left without a handler and says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from zhiqian_desktop.domain.kinds import AssignmentRule

_SEPARATORS = re.compile(r"[、，,；;\s]+")


@dataclass(frozen=True)
class HandlerLoad:
    """A person who may hold cases, with the number of open cases he holds now."""

    id: str
    name: str
    tribunal_id: str | None
    open_cases: int


@dataclass(frozen=True)
class Area:
    """A tribunal and the townships of its area."""

    tribunal_id: str
    tribunal_name: str
    townships: tuple[str, ...]


@dataclass(frozen=True)
class CaseToAssign:
    case_id: str
    case_no: str
    order: tuple[int, int]
    """(year, sequence) of the case number: the order cases were registered in."""
    cause: str
    livelihood: bool
    received_date: date
    tribunal_id: str | None
    obligor_addresses: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    case_id: str
    case_no: str
    handler_id: str | None
    tribunal_id: str | None
    """The tribunal the rule by area placed the case in (the case's own tribunal if it had one)."""
    reason: str | None
    """Why the case is left without a handler (None when it has one)."""


NO_HANDLERS = "没有在岗的承办人；请先在 设置 → 法庭与人员 中添加承办人"


def split_townships(text: str | None) -> tuple[str, ...]:
    """The townships written in one field, separated by 、，, ； or spaces, each once."""
    seen: dict[str, None] = {}
    for name in _SEPARATORS.split(text or ""):
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


def township_clash(areas: Iterable[Area]) -> str | None:
    """The clerk's sentence when one township is listed for two tribunals (an obligor there could
    belong to either), else None."""
    owner: dict[str, str] = {}
    for area in areas:
        for town in area.townships:
            other = owner.setdefault(town, area.tribunal_name)
            if other != area.tribunal_name:
                return (
                    f"乡镇“{town}”同时列在{other}和{area.tribunal_name}的辖区中；"
                    "一个乡镇只能属于一个法庭，请删去其中一处"
                )
    return None


def area_of(addresses: Iterable[str], areas: Sequence[Area]) -> Area | None:
    """The tribunal whose area holds the first obligor address that names one of its townships
    (the longest name found wins, so 城关镇 is not mistaken for 关镇; between names of the same
    length, the tribunal listed first in 设置)."""
    for address in addresses:
        best: tuple[int, Area] | None = None
        for area in areas:
            for town in area.townships:
                if town in address and (best is None or len(town) > best[0]):
                    best = (len(town), area)
        if best is not None:
            return best[1]
    return None


def assignment_order(cases: Iterable[CaseToAssign]) -> list[CaseToAssign]:
    """Livelihood cases first, then in the order they were received and registered."""
    return sorted(cases, key=lambda c: (not c.livelihood, c.received_date, c.order))


def propose(
    cases: Iterable[CaseToAssign],
    handlers: Sequence[HandlerLoad],
    rule: AssignmentRule,
    *,
    areas: Sequence[Area] = (),
    causes: Mapping[str, Sequence[str]] | None = None,
    last_handler_id: str | None = None,
) -> list[Proposal]:
    """A handler (or the reason there is none) for each case, in the order of assignment.

    ``handlers`` come in the order a tie is broken in (by name); ``causes`` maps a cause to the
    ids of its handlers (the rule by cause); ``last_handler_id`` is who received the latest case,
    so that round-robin carries on after him rather than starting again at the first name."""
    load = {h.id: h.open_cases for h in handlers}
    names = {a.tribunal_id: a.tribunal_name for a in areas}
    ids = [h.id for h in handlers]
    turn = (ids.index(last_handler_id) + 1) if last_handler_id in ids else 0
    causes = {k.strip(): v for k, v in (causes or {}).items()}
    result: list[Proposal] = []
    for case in assignment_order(cases):
        tribunal_id = case.tribunal_id
        candidates: list[str] = ids
        reason: str | None = None
        if not ids:
            reason = NO_HANDLERS
        elif rule is AssignmentRule.ROUND_ROBIN:
            candidates = [ids[turn % len(ids)]]
            turn += 1
        elif rule is AssignmentRule.AREA:
            if tribunal_id is None:
                area = area_of(case.obligor_addresses, areas)
                tribunal_id = area.tribunal_id if area else None
            if tribunal_id is None:
                reason = (
                    "被申请人住址不在任何法庭的辖区乡镇内；请在 设置 → 分案 中补充乡镇，或单独分案"
                )
            else:
                candidates = [h.id for h in handlers if h.tribunal_id == tribunal_id]
                if not candidates:
                    name = names.get(tribunal_id, "该法庭")
                    reason = f"{name}没有承办人；请在 设置 → 分案 中为承办人指定所属法庭"
        elif rule is AssignmentRule.CAUSE:
            listed = set(causes.get(case.cause.strip(), ()))
            candidates = [i for i in ids if i in listed]
            if not candidates:
                reason = f"案由“{case.cause}”未指定承办人；请在 设置 → 分案 中指定，或单独分案"
        chosen = None
        if reason is None:
            chosen = min(candidates, key=lambda i: (load[i], ids.index(i)))
            load[chosen] += 1
        result.append(Proposal(case.case_id, case.case_no, chosen, tribunal_id, reason))
    return result
