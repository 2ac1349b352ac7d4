"""The 执破衔接 screening: enterprise obligors with ten or more money cases in a year whose total
exceeds their registered capital, whose licence is revoked, or whose earlier case ended without
property, flagged for bankruptcy review with the cases behind each flag."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import (
    ColumnElement,
    Integer,
    case,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.kinds import LicenceStatus, PartyKind, PartyRole
from zhiqian_desktop.domain.money import format_amount, from_fen
from zhiqian_desktop.domain.stats import (
    Period,
)
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.core.workbooks import (
    AMOUNT_FORMAT,
    DATE_FORMAT,
    save_export,
    write_sheet,
)
from zhiqian_desktop.services.reporting.stats import SC, ZERO, received_in
from zhiqian_desktop.store.models import Party
from zhiqian_desktop.store.outputs import check_output_file

# --- 执破衔接 screening ----------------------------------------------------------------------------

BANKRUPTCY_MIN_CASES = 10
NO_PROPERTY_WORDS = ("终本", "终结本次执行", "无财产", "无可供执行")
"""Words in a closing or transfer reason that say an earlier case ended without property."""
ENTERPRISE_KINDS = [PartyKind.LEGAL_PERSON.value, PartyKind.OTHER_ORG.value]


@dataclass(frozen=True)
class EvidenceCase:
    case_id: str
    case_no: str
    received_date: date
    amount_due: Decimal
    status: CaseStatus
    close_reason: str | None


@dataclass
class ReferralCandidate:
    """An enterprise obligor meeting a condition for bankruptcy review, with the cases as evidence."""

    key: str
    name: str
    id_number: str | None
    registered_capital: Decimal | None
    licence_status: LicenceStatus | None
    cases_in_year: int = 0
    total_in_year: Decimal = ZERO
    reasons: list[str] = field(default_factory=list)
    cases: list[EvidenceCase] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        return "；".join(self.reasons)


def _obligor_key() -> ColumnElement[Any]:
    """An enterprise is the same when its credit code is, else when its name is."""
    return func.coalesce(func.nullif(func.upper(func.trim(Party.id_number)), ""), Party.name)


def cast_licence(code: str | None) -> LicenceStatus | None:
    return next((s for s in LicenceStatus if s.value == code), None) if code else None


@reads
def bankruptcy_screening(session: Session, year: int) -> list[ReferralCandidate]:
    """Enterprise obligors meeting a referral condition (执破衔接) for ``year``.

    Conditions (DESIGN §2): 10 or more money cases received in the year whose total exceeds the
    registered capital; licence revoked or cancelled; an earlier case ended without property (its
    reason mentions 终本 / 无财产). Only obligors with a case received in the year or still open
    are screened.
    """
    year_period = Period(date(year, 1, 1), date(year, 12, 31))
    key = _obligor_key()
    base = [
        Party.deleted_at.is_(None),
        Party.role == PartyRole.OBLIGOR,
        type_coerce(Party.kind, Party.kind.type.impl).in_(ENTERPRISE_KINDS),
        SC.deleted_at.is_(None),
    ]
    active = or_(received_in(year_period), SC.status.in_([s.value for s in OPEN_STATUSES]))
    # Per obligor and case first, so one obligor named twice in a case is counted once.
    per_case = (
        select(
            key.label("k"), SC.id.label("case_id"), type_coerce(SC.amount_due, Integer).label("due")
        )
        .join(SC, SC.id == Party.case_id)
        .where(*base, received_in(year_period), SC.amount_due > ZERO)
        .distinct()
        .subquery()
    )
    many = dict(
        (k, (int(n), from_fen(int(total))))
        for k, n, total in session.execute(
            select(per_case.c.k, func.count(), func.sum(per_case.c.due))
            .group_by(per_case.c.k)
            .having(func.count() >= BANKRUPTCY_MIN_CASES)
        )
    )
    capital = func.max(type_coerce(Party.registered_capital, Integer))
    facts = session.execute(
        select(
            key,
            func.max(Party.name),
            func.max(Party.id_number),
            capital,
            func.max(
                case(
                    (
                        type_coerce(Party.licence_status, Party.licence_status.type.impl).in_(
                            [LicenceStatus.REVOKED.value, LicenceStatus.CANCELLED.value]
                        ),
                        type_coerce(Party.licence_status, Party.licence_status.type.impl),
                    ),
                    else_=None,
                )
            ),
            func.max(case((active, 1), else_=0)),
            func.sum(
                case(
                    (or_(*(SC.close_reason.contains(w) for w in NO_PROPERTY_WORDS)), 1),
                    else_=0,
                )
            ),
        )
        .join(SC, SC.id == Party.case_id)
        .where(*base)
        .group_by(key)
    ).all()
    candidates: list[ReferralCandidate] = []
    for k, name, id_number, capital_fen, licence, is_active, no_property in facts:
        if not is_active:
            continue
        cap = from_fen(int(capital_fen)) if capital_fen is not None else None
        cand = ReferralCandidate(
            key=k,
            name=name,
            id_number=id_number,
            registered_capital=cap,
            licence_status=cast_licence(licence),
        )
        if k in many:
            n, total = many[k]
            cand.cases_in_year, cand.total_in_year = n, total
            if cap is not None and total > cap:
                cand.reasons.append(
                    f"{year}年金钱给付案件{n}件，标的合计{format_amount(total)}，"
                    f"超过注册资本{format_amount(cap)}"
                )
        if cand.licence_status is not None:
            cand.reasons.append(f"营业执照已{cand.licence_status.label}")
        if no_property:
            cand.reasons.append(f"此前有{int(no_property)}件案件因无财产可供执行终结（终本）")
        if cand.reasons:
            candidates.append(cand)
    if not candidates:
        return []
    by_key = {c.key: c for c in candidates}
    evidence = session.execute(
        select(
            key,
            SC.id,
            SC.case_no,
            SC.received_date,
            SC.amount_due,
            SC.status,
            SC.close_reason,
        )
        .join(SC, SC.id == Party.case_id)
        .where(*base, key.in_(list(by_key)))
        .distinct()
        .order_by(SC.received_date, SC.case_no)
    )
    for k, *rest in evidence:
        by_key[k].cases.append(EvidenceCase(*rest))
    candidates.sort(key=lambda c: (-len(c.reasons), -c.cases_in_year, c.name))
    return candidates


def export_screening_xlsx(
    candidates: list[ReferralCandidate], year: int, path: Path, *, force: bool = False
) -> int:
    path = check_output_file(path, force=force)
    wb = Workbook(write_only=True)
    write_sheet(
        wb,
        "执破衔接筛查",
        [
            ("序号", 6),
            ("企业名称", 28),
            ("统一社会信用代码", 22),
            ("注册资本（元）", 16),
            ("当年案件数", 10),
            ("当年标的合计（元）", 18),
            ("符合的条件", 60),
        ],
        [
            [
                i,
                c.name,
                c.id_number or "",
                c.registered_capital,
                c.cases_in_year,
                c.total_in_year,
                c.reason_text,
            ]
            for i, c in enumerate(candidates, start=1)
        ],
        [None, None, None, AMOUNT_FORMAT, "0", AMOUNT_FORMAT, None],
        caption=f"{year}年执破衔接筛查名单",
    )
    write_sheet(
        wb,
        "案件明细",
        [
            ("企业名称", 28),
            ("案号", 24),
            ("收案日期", 12),
            ("标的（元）", 16),
            ("状态", 12),
            ("结案/移送理由", 40),
        ],
        [
            [c.name, e.case_no, e.received_date, e.amount_due, e.status.label, e.close_reason or ""]
            for c in candidates
            for e in c.cases
        ],
        [None, None, DATE_FORMAT, AMOUNT_FORMAT, None, None],
    )
    save_export(wb, path, force=force)
    return len(candidates)
