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


CLOSING_STATUSES: tuple[CaseStatus, ...] = (
    CaseStatus.PERFORMED,
    CaseStatus.SETTLEMENT_PERFORMED,
    CaseStatus.WITHDRAWN,
    CaseStatus.UNSUITABLE,
)
"""The ways a case is closed from the case page (failure goes through 督促不成 and transfer)."""


class CaseAction(LabelledEnum):
    """What the team may do with a case, as the case page offers it and the services allow it."""

    EDIT = "edit", "修改案件"
    LOG_CONTACT = "log_contact", "记录督促"
    RECORD_PAYMENT = "record_payment", "登记履行款"
    SETTLE = "settle", "登记和解协议"
    CLOSE = "close", "结案"
    MARK_FAILED = "mark_failed", "标记督促不成"
    TRANSFER = "transfer", "移送执行"
    REOPEN = "reopen", "重新开启"
    ARCHIVE_DOSSIER = "archive_dossier", "归档卷宗"


def allowed_next(status: CaseStatus) -> frozenset[CaseStatus]:
    return _TRANSITIONS[status]


def available_actions(status: CaseStatus) -> frozenset[CaseAction]:
    """The actions a case in ``status`` allows: the case page enables exactly these buttons, and
    the services refuse the others (``check_action``).

    A case is worked while it is open; it is settled, closed or marked failed only where the
    transitions allow; an open case is transferred by way of 督促不成 (marked failed first); a
    closed case is reopened (except a transferred one) and has an archive dossier."""
    following = _TRANSITIONS[status]
    actions: set[CaseAction] = set()
    if status in OPEN_STATUSES:
        actions |= {CaseAction.EDIT, CaseAction.LOG_CONTACT, CaseAction.RECORD_PAYMENT}
    if CaseStatus.SETTLED in following:
        actions.add(CaseAction.SETTLE)
    if following & set(CLOSING_STATUSES):
        actions.add(CaseAction.CLOSE)
    if CaseStatus.FAILED in following:
        actions.add(CaseAction.MARK_FAILED)
    if status is CaseStatus.FAILED or CaseStatus.FAILED in following:
        actions.add(CaseAction.TRANSFER)
    if status in REOPENABLE:
        actions.add(CaseAction.REOPEN)
    if status in CLOSED_STATUSES:
        actions.add(CaseAction.ARCHIVE_DOSSIER)
    return frozenset(actions)


_CLOSED_REFUSALS: dict[CaseAction, str] = {
    CaseAction.EDIT: "案件{no}已{status}，不能修改；如需修改请先重新开启",
    CaseAction.LOG_CONTACT: "案件{no}已{status}，不能再记录督促；如需继续督促请先重新开启案件",
    **{
        action: "案件{no}状态为“{status}”，不能再" + action.label + "；如需继续办理请先重新开启案件"
        for action in (
            CaseAction.RECORD_PAYMENT,
            CaseAction.SETTLE,
            CaseAction.CLOSE,
            CaseAction.MARK_FAILED,
        )
    },
    # A transfer starts by marking the case failed: a closed case is refused as that would be.
    CaseAction.TRANSFER: "案件{no}状态为“{status}”，不能再"
    + CaseAction.MARK_FAILED.label
    + "；如需继续办理请先重新开启案件",
}
"""Why an action that needs an open case is refused for a closed one."""

_TARGETS: dict[CaseAction, CaseStatus] = {
    CaseAction.SETTLE: CaseStatus.SETTLED,
    CaseAction.MARK_FAILED: CaseStatus.FAILED,
}


def check_action(
    status: CaseStatus, action: CaseAction, case_no: str, *, target: CaseStatus | None = None
) -> None:
    """Raise the clerk's UserError when ``action`` (closing: into ``target``) is not available
    for a case in ``status``; the sentence says what to do instead."""
    goal = target or _TARGETS.get(action)
    if action in available_actions(status) and (goal is None or goal in _TRANSITIONS[status]):
        return
    refusal = _CLOSED_REFUSALS.get(action)
    if refusal is not None and status in CLOSED_STATUSES:
        raise UserError(refusal.format(no=case_no, status=status.label))
    if goal is not None:
        check_transition(status, goal)
    if action is CaseAction.REOPEN:
        raise UserError(f"“{status.label}”状态的案件不能重新开启")
    if action is CaseAction.ARCHIVE_DOSSIER:
        raise UserError(
            f"案件{case_no}尚未结案（当前状态：{status.label}），不能生成归档卷宗；"
            "请先结案或移送执行"
        )
    raise UserError(f"案件{case_no}状态为“{status.label}”，不能{action.label}")


def check_transition(current: CaseStatus, target: CaseStatus) -> None:
    """Raise a UserError naming both statuses when the move is not allowed."""
    if target not in _TRANSITIONS[current]:
        allowed = "、".join(
            s.label for s in sorted(_TRANSITIONS[current], key=list(CaseStatus).index)
        )
        hint = f"可转为：{allowed}" if allowed else "该状态已终结，如需继续办理请先“重新开启”案件"
        raise UserError(f"案件状态不能从“{current.label}”变为“{target.label}”；{hint}")


def check_reopen(current: CaseStatus, reason: str, case_no: str = "") -> None:
    check_action(current, CaseAction.REOPEN, case_no)
    if not reason.strip():
        raise UserError("重新开启案件必须填写理由")


DOCUMENTS_AFTER_CLOSING: frozenset[DocumentKind] = frozenset(
    {
        DocumentKind.PERFORMANCE_CERTIFICATE,
        DocumentKind.SERVICE_RECEIPT,
        DocumentKind.TRANSFER_LETTER,
        # A release is recorded after closing too (the obligor performed): its ruling and notice.
        DocumentKind.RELEASE_RULING,
        DocumentKind.RELEASE_NOTICE,
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
