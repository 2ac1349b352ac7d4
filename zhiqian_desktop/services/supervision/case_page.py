"""What the case page shows, read in one snapshot: the case with its records, its audit trail in
words, and the schedule of its settlement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from zhiqian_desktop.services.closing.outcomes import installment_table
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.supervision.case_view import (
    CaseView,
    HistoryEntry,
    RecordTable,
    case_view,
    readable_history,
)


@dataclass(frozen=True)
class CasePageData:
    view: CaseView
    history: list[HistoryEntry]
    installments: RecordTable


@reads
def case_page(session: Session, case_id: str, *, today: date) -> CasePageData:
    return CasePageData(
        case_view(session, case_id, today=today),
        readable_history(session, case_id),
        installment_table(session, case_id, today),
    )
