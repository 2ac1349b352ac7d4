"""The life of a supervision case: its statuses and the transitions the law and the team allow."""

from __future__ import annotations

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, LabelledEnum


class CaseStatus(LabelledEnum):
    REGISTERED = "registered", "已收案"
    SUPERVISING = "supervising", "督促中"
    SETTLED = "settled", "和解履行中"
    PERFORMED = "performed", "自动履行完毕"
    SETTLEMENT_PERFORMED = "settlement_performed", "和解履行完毕"
    FAILED = "failed", "督促不成"
    TRANSFERRED = "transferred", "已移送执行"
    WITHDRAWN = "withdrawn", "撤回"
    UNSUITABLE = "unsuitable", "不宜督促"
    ARCHIVED = "archived", "已归档"


OPEN_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.REGISTERED, CaseStatus.SUPERVISING, CaseStatus.SETTLED, CaseStatus.FAILED}
)
"""Statuses in which the team still works the case (a failed case awaits its transfer)."""

CLOSED_STATUSES: frozenset[CaseStatus] = frozenset(CaseStatus) - OPEN_STATUSES

_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.REGISTERED: frozenset(
        {
            CaseStatus.SUPERVISING,
            CaseStatus.SETTLED,
            CaseStatus.PERFORMED,
            CaseStatus.FAILED,
            CaseStatus.WITHDRAWN,
            CaseStatus.UNSUITABLE,
        }
    ),
    CaseStatus.SUPERVISING: frozenset(
        {
            CaseStatus.SETTLED,
            CaseStatus.PERFORMED,
            CaseStatus.FAILED,
            CaseStatus.WITHDRAWN,
            CaseStatus.UNSUITABLE,
        }
    ),
    CaseStatus.SETTLED: frozenset(
        {
            CaseStatus.SETTLEMENT_PERFORMED,
            CaseStatus.PERFORMED,
            CaseStatus.FAILED,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.FAILED: frozenset({CaseStatus.TRANSFERRED, CaseStatus.SUPERVISING}),
    CaseStatus.PERFORMED: frozenset({CaseStatus.ARCHIVED}),
    CaseStatus.SETTLEMENT_PERFORMED: frozenset({CaseStatus.ARCHIVED}),
    CaseStatus.WITHDRAWN: frozenset({CaseStatus.ARCHIVED}),
    CaseStatus.UNSUITABLE: frozenset({CaseStatus.ARCHIVED}),
    CaseStatus.TRANSFERRED: frozenset(),
    CaseStatus.ARCHIVED: frozenset(),
}

REOPENABLE: frozenset[CaseStatus] = frozenset(
    {
        CaseStatus.PERFORMED,
        CaseStatus.SETTLEMENT_PERFORMED,
        CaseStatus.WITHDRAWN,
        CaseStatus.UNSUITABLE,
        CaseStatus.ARCHIVED,
    }
)
"""Closed statuses an explicit, audited reopen may take back to 督促中."""


def allowed_next(status: CaseStatus) -> frozenset[CaseStatus]:
    return _TRANSITIONS[status]


def check_transition(current: CaseStatus, target: CaseStatus) -> None:
    """Raise a UserError naming both statuses when the move is not allowed."""
    if target not in _TRANSITIONS[current]:
        allowed = "、".join(
            s.label for s in sorted(_TRANSITIONS[current], key=list(CaseStatus).index)
        )
        hint = f"可转为：{allowed}" if allowed else "该状态已终结，如需继续办理请先“重新开启”案件"
        raise UserError(f"案件状态不能从“{current.label}”变为“{target.label}”；{hint}")


def check_reopen(current: CaseStatus, reason: str) -> None:
    if current not in REOPENABLE:
        raise UserError(f"“{current.label}”状态的案件不能重新开启")
    if not reason.strip():
        raise UserError("重新开启案件必须填写理由")


DOCUMENTS_AFTER_CLOSING: frozenset[DocumentKind] = frozenset(
    {
        DocumentKind.PERFORMANCE_CERTIFICATE,
        DocumentKind.SERVICE_RECEIPT,
        DocumentKind.TRANSFER_LETTER,
    }
)
"""Documents that may still be issued once a case is closed (not archived)."""


def document_refusal(status: CaseStatus, kind: DocumentKind, case_no: str) -> str | None:
    """Why a case in ``status`` may not get document ``kind`` (a clerk's sentence), or None."""
    if status is CaseStatus.ARCHIVED:
        return f"案件{case_no}已归档，不能再出具文书；如确需出具，请先重新开启案件"
    if status not in OPEN_STATUSES and kind not in DOCUMENTS_AFTER_CLOSING:
        return (
            f"案件{case_no}已“{status.label}”，不能再出具{kind.label}；"
            "如需继续督促，请先重新开启案件"
        )
    return None


def is_read_only(status: CaseStatus) -> bool:
    """Closed cases may not be edited except through an audited reopen."""
    return status in CLOSED_STATUSES
