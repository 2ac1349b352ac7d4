"""Every allowed and every forbidden status transition, reopening and read-only cases."""

from __future__ import annotations

import itertools

import pytest

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.domain.workflow import (
    CLOSED_STATUSES,
    CLOSING_STATUSES,
    DOCUMENTS_AFTER_CLOSING,
    OPEN_STATUSES,
    REOPENABLE,
    CaseAction,
    CaseStatus,
    allowed_next,
    available_actions,
    check_action,
    check_reopen,
    check_transition,
    document_refusal,
    is_read_only,
)

S = CaseStatus

# The workflow of docs/architecture.md ("The case's life"), written out independently of the module
# under test.
EXPECTED: dict[CaseStatus, set[CaseStatus]] = {
    S.REGISTERED: {S.SUPERVISING, S.SETTLED, S.PERFORMED, S.FAILED, S.WITHDRAWN, S.UNSUITABLE},
    S.SUPERVISING: {S.SETTLED, S.PERFORMED, S.FAILED, S.WITHDRAWN, S.UNSUITABLE},
    S.SETTLED: {S.SETTLEMENT_PERFORMED, S.PERFORMED, S.FAILED, S.WITHDRAWN},
    S.FAILED: {S.TRANSFERRED, S.SUPERVISING},
    S.PERFORMED: {S.ARCHIVED},
    S.SETTLEMENT_PERFORMED: {S.ARCHIVED},
    S.WITHDRAWN: {S.ARCHIVED},
    S.UNSUITABLE: {S.ARCHIVED},
    S.TRANSFERRED: set(),
    S.ARCHIVED: set(),
}

ALL_PAIRS = list(itertools.product(CaseStatus, CaseStatus))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in EXPECTED[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in EXPECTED[a]]


def test_every_status_has_an_entry() -> None:
    assert set(EXPECTED) == set(CaseStatus)
    assert len(CaseStatus) == 10
    assert len(ALLOWED) == 21
    assert len(FORBIDDEN) == 79


@pytest.mark.parametrize("status", list(CaseStatus))
def test_allowed_next(status: CaseStatus) -> None:
    assert allowed_next(status) == frozenset(EXPECTED[status])


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: s.value)
def test_allowed_transition(current: CaseStatus, target: CaseStatus) -> None:
    assert check_transition(current, target) is None  # no refusal: the move goes through
    assert target in allowed_next(current)
    # A refused move from the same status names this one among those the clerk may choose.
    with pytest.raises(UserError, match=f"可转为：.*{target.label}"):
        check_transition(current, current)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=lambda s: s.value)
def test_forbidden_transition(current: CaseStatus, target: CaseStatus) -> None:
    with pytest.raises(UserError) as info:
        check_transition(current, target)
    message = str(info.value)
    assert f"从“{current.label}”变为“{target.label}”" in message
    if EXPECTED[current]:
        for status in EXPECTED[current]:
            assert status.label in message
    else:
        assert "重新开启" in message


def test_forbidden_message_lists_allowed_in_declaration_order() -> None:
    with pytest.raises(UserError) as info:
        check_transition(S.FAILED, S.ARCHIVED)
    assert str(info.value) == "案件状态不能从“督促不成”变为“已归档”；可转为：督促中、已移送执行"


def test_no_status_moves_to_itself_or_back_to_registered() -> None:
    for status in CaseStatus:
        with pytest.raises(UserError):
            check_transition(status, status)
        with pytest.raises(UserError):
            check_transition(status, S.REGISTERED)


def test_open_and_closed_statuses() -> None:
    assert {S.REGISTERED, S.SUPERVISING, S.SETTLED, S.FAILED} == OPEN_STATUSES
    assert frozenset(CaseStatus) - OPEN_STATUSES == CLOSED_STATUSES
    assert not OPEN_STATUSES & CLOSED_STATUSES


@pytest.mark.parametrize("status", list(CaseStatus))
def test_read_only_exactly_when_closed(status: CaseStatus) -> None:
    expected = status in {
        S.PERFORMED,
        S.SETTLEMENT_PERFORMED,
        S.TRANSFERRED,
        S.WITHDRAWN,
        S.UNSUITABLE,
        S.ARCHIVED,
    }
    assert is_read_only(status) is expected


REOPENABLE_EXPECTED = {S.PERFORMED, S.SETTLEMENT_PERFORMED, S.WITHDRAWN, S.UNSUITABLE, S.ARCHIVED}


def test_reopenable_set() -> None:
    assert REOPENABLE == REOPENABLE_EXPECTED
    assert REOPENABLE <= CLOSED_STATUSES
    # A transferred case belongs to enforcement now; it is not reopened here.
    assert S.TRANSFERRED not in REOPENABLE


@pytest.mark.parametrize("status", sorted(REOPENABLE_EXPECTED))
def test_reopen_allowed_with_reason(status: CaseStatus) -> None:
    assert check_reopen(status, "当事人反映履行款未到账，需继续督促") is None
    assert check_reopen(status, "\u3000继续督促\n") is None  # blanks around a reason are fine
    # Only the reason decides: the same case without one is refused with the reason why.
    with pytest.raises(UserError, match=r"^重新开启案件必须填写理由$"):
        check_reopen(status, "\u3000")
    assert is_read_only(status), "a closed case changes only through the audited reopen"


@pytest.mark.parametrize("status", sorted(set(CaseStatus) - REOPENABLE_EXPECTED))
def test_reopen_refused(status: CaseStatus) -> None:
    with pytest.raises(UserError) as info:
        check_reopen(status, "理由")
    assert str(info.value) == f"“{status.label}”状态的案件不能重新开启"


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", "\u3000"])
def test_reopen_needs_a_reason(reason: str) -> None:
    with pytest.raises(UserError) as info:
        check_reopen(S.ARCHIVED, reason)
    assert str(info.value) == "重新开启案件必须填写理由"


def test_labels() -> None:
    assert [s.label for s in CaseStatus] == [
        "已收案",
        "督促中",
        "和解履行中",
        "自动履行完毕",
        "和解履行完毕",
        "督促不成",
        "已移送执行",
        "撤回",
        "不宜督促",
        "已归档",
    ]
    assert CaseStatus.from_label("督促中") is S.SUPERVISING
    assert CaseStatus.from_label("archived") is S.ARCHIVED
    with pytest.raises(ValueError):
        CaseStatus.from_label("不存在")


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_which_documents_a_status_allows(status: CaseStatus, kind: DocumentKind) -> None:
    refusal = document_refusal(status, kind, "（2026）内0221执前督1号")
    if status is CaseStatus.ARCHIVED:
        assert refusal is not None and "已归档" in refusal and "重新开启" in refusal
    elif status in OPEN_STATUSES or kind in DOCUMENTS_AFTER_CLOSING:
        assert refusal is None
    else:
        assert refusal is not None
        assert f"已“{status.label}”" in refusal and kind.label in refusal
        assert "（2026）内0221执前督1号" in refusal


# --- the actions a status allows (the case page's buttons and the services' checks) ------------

A = CaseAction
# What the case page offered before the rules moved here, written out again by status.
ACTIONS: dict[CaseStatus, set[CaseAction]] = {
    S.REGISTERED: {A.EDIT, A.LOG_CONTACT, A.RECORD_PAYMENT, A.SETTLE, A.CLOSE, A.MARK_FAILED,
                   A.TRANSFER},
    S.SUPERVISING: {A.EDIT, A.LOG_CONTACT, A.RECORD_PAYMENT, A.SETTLE, A.CLOSE, A.MARK_FAILED,
                    A.TRANSFER},
    S.SETTLED: {A.EDIT, A.LOG_CONTACT, A.RECORD_PAYMENT, A.CLOSE, A.MARK_FAILED, A.TRANSFER},
    S.FAILED: {A.EDIT, A.LOG_CONTACT, A.RECORD_PAYMENT, A.TRANSFER},
    S.PERFORMED: {A.REOPEN, A.ARCHIVE_DOSSIER},
    S.SETTLEMENT_PERFORMED: {A.REOPEN, A.ARCHIVE_DOSSIER},
    S.WITHDRAWN: {A.REOPEN, A.ARCHIVE_DOSSIER},
    S.UNSUITABLE: {A.REOPEN, A.ARCHIVE_DOSSIER},
    S.TRANSFERRED: {A.ARCHIVE_DOSSIER},
    S.ARCHIVED: {A.REOPEN, A.ARCHIVE_DOSSIER},
}  # fmt: skip


@pytest.mark.parametrize("status", list(CaseStatus))
def test_available_actions(status: CaseStatus) -> None:
    assert available_actions(status) == ACTIONS[status]


@pytest.mark.parametrize(("status", "action"), list(itertools.product(CaseStatus, CaseAction)))
def test_check_action_refuses_exactly_what_is_not_available(
    status: CaseStatus, action: CaseAction
) -> None:
    if action in ACTIONS[status]:
        check_action(status, action, "（2026）内0221执前督1号")
        return
    with pytest.raises(UserError) as refused:
        check_action(status, action, "（2026）内0221执前督1号")
    assert status.label in refused.value.message


@pytest.mark.parametrize(
    ("status", "target"), list(itertools.product(CaseStatus, CLOSING_STATUSES))
)
def test_closing_into_an_outcome_follows_the_transitions(
    status: CaseStatus, target: CaseStatus
) -> None:
    if A.CLOSE in ACTIONS[status] and target in EXPECTED[status]:
        check_action(status, A.CLOSE, "1号", target=target)
    else:
        with pytest.raises(UserError):
            check_action(status, A.CLOSE, "1号", target=target)


def test_a_closed_case_is_refused_with_the_way_back() -> None:
    with pytest.raises(UserError, match="不能再登记履行款；如需继续办理请先重新开启案件"):
        check_action(S.PERFORMED, A.RECORD_PAYMENT, "1号")
    with pytest.raises(UserError, match="案件状态不能从“督促不成”变为“和解履行中”"):
        check_action(S.FAILED, A.SETTLE, "1号")


def test_each_refusal_says_what_to_do_instead() -> None:
    with pytest.raises(UserError) as refused:
        check_action(S.SUPERVISING, A.ARCHIVE_DOSSIER, "1号")
    assert refused.value.message == (
        "案件1号尚未结案（当前状态：督促中），不能生成归档卷宗；请先结案或移送执行"
    )
    with pytest.raises(UserError) as refused:
        check_action(S.TRANSFERRED, A.REOPEN, "1号")
    assert refused.value.message == "“已移送执行”状态的案件不能重新开启"
    with pytest.raises(UserError) as refused:
        check_action(S.FAILED, A.CLOSE, "1号")
    assert refused.value.message == "案件1号状态为“督促不成”，不能结案"
