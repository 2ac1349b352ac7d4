"""委托调解 rules: which cases, one at a time, the dates and period, results and the success rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MediationResult
from zhiqian_desktop.domain.mediation import (
    ENTRUSTABLE,
    MAX_PERIOD_DAYS,
    check_entrustment,
    check_mediator_name,
    check_result,
    success_rate,
    tally,
)
from zhiqian_desktop.domain.workflow import CaseStatus

TODAY = date(2026, 11, 25)
NO = "（2026）内0221执前督8号"


def entrust(**changes: object) -> None:
    args: dict[str, object] = {
        "case_no": NO,
        "status": CaseStatus.SUPERVISING,
        "received_date": date(2026, 11, 2),
        "entrusted_on": date(2026, 11, 20),
        "period_days": 30,
        "today": TODAY,
        "pending": False,
    }
    args.update(changes)
    check_entrustment(**args)  # type: ignore[arg-type]


def test_a_supervised_case_is_entrusted() -> None:
    for status in ENTRUSTABLE:
        entrust(status=status)
    entrust(entrusted_on=date(2026, 11, 2), period_days=1)
    entrust(entrusted_on=TODAY, period_days=MAX_PERIOD_DAYS)


@pytest.mark.parametrize("status", sorted(set(CaseStatus) - ENTRUSTABLE))
def test_other_statuses_are_refused_by_name(status: CaseStatus) -> None:
    with pytest.raises(UserError, match=f"状态为“{status.label}”，不能委托调解"):
        entrust(status=status)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pending": True}, "已有未结束的委托调解"),
        ({"entrusted_on": date(2026, 11, 26)}, "晚于今天"),
        ({"entrusted_on": date(2026, 11, 1)}, "早于收案日期2026-11-02"),
        ({"period_days": 0}, "应为1至90日"),
        ({"period_days": 91}, "应为1至90日"),
    ],
)
def test_bad_entrustments_say_why(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        entrust(**changes)


def test_mediator_names() -> None:
    assert check_mediator_name("  土右旗人民调解委员会 ") == "土右旗人民调解委员会"
    with pytest.raises(UserError, match="名称不能为空"):
        check_mediator_name(" \u3000 ")
    assert check_mediator_name("调" * 100) == "调" * 100
    with pytest.raises(UserError, match="过长"):
        check_mediator_name("调" * 101)


def test_a_wrong_period_names_the_usual_one() -> None:
    with pytest.raises(UserError, match=r"应为1至90日（通常为30日）"):
        entrust(period_days=0)


def test_results() -> None:
    ok = {"case_no": NO, "pending": True, "entrusted_on": date(2026, 11, 20), "today": TODAY}
    check_result(result_on=date(2026, 11, 20), **ok)  # type: ignore[arg-type]
    check_result(result_on=TODAY, **ok)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="晚于今天"):
        check_result(result_on=date(2026, 11, 26), **ok)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="早于委托日期"):
        check_result(result_on=date(2026, 11, 19), **ok)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="已登记结果"):
        check_result(result_on=TODAY, **{**ok, "pending": False})  # type: ignore[arg-type]


def test_success_rate_counts_settled_against_settled_and_failed() -> None:
    assert success_rate(0, 0) is None
    assert success_rate(1, 2) == Decimal("33.3")
    assert success_rate(2, 1) == Decimal("66.7")
    assert success_rate(3, 0) == Decimal("100.0")
    s, f, w, p = MediationResult.SETTLED, MediationResult.FAILED, MediationResult.WITHDRAWN, None
    t = tally("土右旗人民调解委员会", [s, s, f, w, p, p])
    assert (t.entrusted, t.settled, t.failed, t.withdrawn, t.pending) == (6, 2, 1, 1, 2)
    assert t.rate == Decimal("66.7")  # the withdrawn and pending ones do not count
    assert t.cells() == ("土右旗人民调解委员会", "6", "2", "1", "1", "2", "66.7%")
    assert tally("张某", [w, p]).cells() == ("张某", "2", "0", "0", "1", "1", "—")
