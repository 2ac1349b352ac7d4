"""The 诚信履行名单: obligors who performed of their own accord in a period, listed for the court to
publish (ID numbers masked unless the team lead asks for them, which is audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from zhiqian_desktop.domain.identity import mask_id_number
from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
from zhiqian_desktop.domain.stats import (
    Outcome,
    Period,
)
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.workbooks import (
    AMOUNT_FORMAT,
    DATE_FORMAT,
    save_export,
    write_sheet,
)
from zhiqian_desktop.services.reporting.stats import SC, closed_in, outcome_expr
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Party, User
from zhiqian_desktop.store.outputs import check_output_file

# --- 诚信履行名单 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HonestPerformer:
    name: str
    kind: PartyKind
    id_number: str | None
    case_no: str
    original_case_no: str
    cause: str
    way: str
    """自动履行 or 和解履行."""
    amount_paid: Decimal
    closed_date: date
    handler_name: str

    def shown_id(self, unmasked: bool) -> str:
        if not self.id_number:
            return ""
        return self.id_number if unmasked else mask_id_number(self.id_number)


def honest_performers(session: Session, period: Period) -> list[HonestPerformer]:
    """Obligors of cases closed in the period as performed or settlement performed (诚信履行)."""
    outcome = outcome_expr()
    handler = aliased(User)
    stmt = (
        select(
            Party.name,
            Party.kind,
            Party.id_number,
            SC.case_no,
            SC.original_case_no,
            SC.cause,
            outcome.label("outcome"),
            SC.amount_paid,
            SC.closed_date,
            func.coalesce(handler.display_name, "").label("handler_name"),
        )
        .join(SC, SC.id == Party.case_id)
        .outerjoin(handler, handler.id == SC.handler_id)
        .where(
            Party.deleted_at.is_(None),
            Party.role == PartyRole.OBLIGOR,
            SC.deleted_at.is_(None),
            closed_in(period),
            outcome.in_([Outcome.PERFORMED.value, Outcome.SETTLED.value]),
        )
        .order_by(SC.closed_date, SC.case_year, SC.case_seq, Party.position)
    )
    return [
        HonestPerformer(
            name=r.name,
            kind=r.kind,
            id_number=r.id_number,
            case_no=r.case_no,
            original_case_no=r.original_case_no,
            cause=r.cause,
            way="自动履行" if r.outcome == Outcome.PERFORMED.value else "和解履行",
            amount_paid=r.amount_paid,
            closed_date=r.closed_date,
            handler_name=r.handler_name,
        )
        for r in session.execute(stmt)
    ]


def export_honest_list(
    session: Session,
    actor: Actor,
    period: Period,
    path: Path,
    *,
    unmasked: bool = False,
    force: bool = False,
) -> int:
    """The 诚信履行名单 as xlsx; ID numbers masked unless ``unmasked`` (team lead only, audited).

    Needs a writing session when ``unmasked`` (the export of full ID numbers is recorded).
    """
    if unmasked:
        actor.require_lead()
    path = check_output_file(path, force=force)
    rows = honest_performers(session, period)
    court = get_settings(session).court_name
    wb = Workbook(write_only=True)
    write_sheet(
        wb,
        "诚信履行名单",
        [
            ("序号", 6),
            ("被申请人", 24),
            ("主体类型", 10),
            ("证件号码", 22),
            ("案号", 24),
            ("原审案号", 26),
            ("案由", 16),
            ("履行方式", 10),
            ("履行金额（元）", 16),
            ("履行完毕日期", 14),
            ("承办人", 10),
        ],
        [
            [
                i,
                r.name,
                r.kind.label,
                r.shown_id(unmasked),
                r.case_no,
                r.original_case_no,
                r.cause,
                r.way,
                r.amount_paid,
                r.closed_date,
                r.handler_name,
            ]
            for i, r in enumerate(rows, start=1)
        ],
        [None, None, None, None, None, None, None, None, AMOUNT_FORMAT, DATE_FORMAT, None],
        caption=f"{court}诚信履行名单（{period.label}）",
    )
    save_export(wb, path, force=force)
    if unmasked:
        audit.record_event(
            session,
            actor,
            "export",
            "honest_list",
            f"{period.start.isoformat()}/{period.end.isoformat()}",
            after={"rows": len(rows), "unmasked": True, "file": Path(path).name},
        )
    return len(rows)


def save_honest_list(
    db: Database,
    actor: Actor,
    period: Period,
    path: Path,
    *,
    unmasked: bool = False,
    force: bool = False,
) -> int:
    """The use case: a reading export, unless full ID numbers go out (a write: it is audited)."""
    with db.unit_of_work() if unmasked else db.reader() as session:
        return export_honest_list(session, actor, period, path, unmasked=unmasked, force=force)
