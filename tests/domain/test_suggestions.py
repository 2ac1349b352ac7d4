"""司法建议 rules: the steps, the number, the reply period, what a draft needs, the groups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhiqian_desktop.domain.calendar import HolidayCalendar
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import SuggestionGrouping, SuggestionStatus
from zhiqian_desktop.domain.suggestions import (
    DEFAULT_REPLY_MONTHS,
    DEFAULT_THRESHOLD,
    MAX_CASES,
    MAX_REPLY_MONTHS,
    NEXT,
    PRINTABLE,
    RECIPIENT_LIMIT,
    TEXT_LIMIT,
    CaseGroup,
    GroupCase,
    check_draft,
    check_editable,
    check_reply,
    check_reply_months,
    check_sent,
    check_step,
    check_threshold,
    group_facts,
    group_of,
    is_overdue,
    propose_groups,
    reply_due,
    suggestion_number,
)

S = SuggestionStatus
G = SuggestionGrouping
TODAY = date(2026, 11, 25)
CAL = HolidayCalendar.from_days([], [2026, 2027])


def test_the_defaults_the_court_starts_with() -> None:
    assert DEFAULT_REPLY_MONTHS == 2
    assert MAX_REPLY_MONTHS == 3
    assert DEFAULT_THRESHOLD == 5


def test_the_steps_a_suggestion_may_take() -> None:
    allowed = {(a, b) for a, nexts in NEXT.items() for b in nexts}
    assert allowed == {
        (S.DRAFT, S.APPROVED),
        (S.DRAFT, S.CANCELLED),
        (S.APPROVED, S.SENT),
        (S.APPROVED, S.CANCELLED),
        (S.SENT, S.REPLIED),
    }
    for a in S:
        for b in S:
            if b is S.DRAFT:
                continue
            if (a, b) in allowed:
                check_step(a, b, "X")
            else:
                with pytest.raises(UserError) as err:
                    check_step(a, b, "（2026）A司建1号")
                assert f"状态为“{a.label}”" in err.value.message
                assert "（2026）A司建1号" in err.value.message


@pytest.mark.parametrize(
    ("to", "word"),
    [(S.APPROVED, "签发"), (S.SENT, "登记发出"), (S.REPLIED, "登记回复"), (S.CANCELLED, "作废")],
)
def test_a_refused_step_says_which_step(to: SuggestionStatus, word: str) -> None:
    with pytest.raises(UserError) as err:
        check_step(S.REPLIED, to, "甲")
    assert err.value.message == f"司法建议甲状态为“已回复”，不能{word}"


def test_only_a_draft_is_edited_and_only_a_signed_one_is_printed() -> None:
    check_editable(S.DRAFT, "甲")
    for status in set(S) - {S.DRAFT}:
        with pytest.raises(UserError, match=f"已{status.label}，不能再修改"):
            check_editable(status, "甲")
    assert {S.APPROVED, S.SENT, S.REPLIED} == PRINTABLE


def test_the_number() -> None:
    assert suggestion_number(2026, "黑0881", 3) == "（2026）黑0881司建3号"


@pytest.mark.parametrize("months", [1, 2, 3])
def test_a_reply_period_of_one_to_three_months(months: int) -> None:
    assert check_reply_months(months) == months


@pytest.mark.parametrize("months", [0, 4, -1])
def test_a_reply_period_outside_is_refused(months: int) -> None:
    with pytest.raises(UserError) as err:
        check_reply_months(months)
    assert err.value.message == (
        f"司法建议的回复期限“{months}”个月不正确；应为1至3个月（通常为2个月）"
    )
    assert err.value.field == "suggestion_reply_months"


@pytest.mark.parametrize("n", [2, 5, 100])
def test_a_threshold_of_two_to_a_hundred(n: int) -> None:
    assert check_threshold(n) == n


@pytest.mark.parametrize("n", [1, 101])
def test_a_threshold_outside_is_refused(n: int) -> None:
    with pytest.raises(UserError) as err:
        check_threshold(n)
    assert err.value.message == f"提出司法建议的类案件数“{n}”不正确；应为2至100件"
    assert err.value.field == "suggestion_threshold"


def test_the_reply_is_due_months_later_rolled_past_rest_days() -> None:
    # Sent on Wednesday 2 December 2026: two months later is Tuesday 2 February 2027.
    end = reply_due(date(2026, 12, 2), 2, CAL)
    assert (end.end, end.rolled_from) == (date(2027, 2, 2), None)
    # Sent on Friday 30 October 2026: 30 December is a Wednesday; one month: 30 November, Monday.
    assert reply_due(date(2026, 10, 30), 1, CAL).end == date(2026, 11, 30)
    # Sent on 3 October 2026, two months later is Thursday 3 December.
    assert reply_due(date(2026, 10, 3), 2, CAL).end == date(2026, 12, 3)
    # 5 December 2026 is a Saturday: sent 5 October, one month → 5 November (Thursday); two
    # months → Saturday 5 December, rolled to Monday 7 December.
    rolled = reply_due(date(2026, 10, 5), 2, CAL)
    assert (rolled.end, rolled.rolled_from) == (date(2026, 12, 7), date(2026, 12, 5))
    with pytest.raises(UserError):
        reply_due(date(2026, 10, 5), 4, CAL)


def test_overdue_only_when_sent_unreplied_and_past_the_last_day() -> None:
    due = date(2026, 11, 24)
    assert is_overdue(S.SENT, due, date(2026, 11, 25))
    assert not is_overdue(S.SENT, due, due)
    assert not is_overdue(S.SENT, None, TODAY)
    for status in set(S) - {S.SENT}:
        assert not is_overdue(status, due, TODAY)


def draft(**changes: object) -> tuple[str, str, str]:
    args: dict[str, object] = {
        "recipient": " 某保险公司 ",
        "problem": " 问题 ",
        "proposal": " 建议 ",
        "case_count": 1,
    }
    args.update(changes)
    return check_draft(**args)  # type: ignore[arg-type]


def test_a_draft_is_stripped() -> None:
    assert draft() == ("某保险公司", "问题", "建议")
    assert draft(recipient="甲" * RECIPIENT_LIMIT, case_count=MAX_CASES)[0] == "甲" * 100
    assert draft(problem="问" * TEXT_LIMIT, proposal="建" * TEXT_LIMIT)[1] == "问" * 5000


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"recipient": "  "}, "请填写被建议单位（收文单位的全称）", "recipient"),
        ({"recipient": "甲" * 101}, "被建议单位名称过长（不超过100字）", "recipient"),
        ({"problem": " "}, "请写明审判执行中发现的问题及其事实依据", "problem"),
        ({"proposal": ""}, "请写明改进工作、完善治理的具体建议", "proposal"),
        ({"problem": "问" * 5001}, "发现的问题过长（不超过5000字）；请精简", "problem"),
        ({"proposal": "建" * 5001}, "建议过长（不超过5000字）；请精简", "proposal"),
        ({"case_count": 0}, "司法建议须以案件为依据；请至少选择一件案件", "cases"),
        (
            {"case_count": 501},
            "所选案件过多（不超过500件）；请按被申请人或案由分组",
            "cases",
        ),
    ],
)
def test_what_a_draft_needs(changes: dict[str, object], message: str, field: str) -> None:
    with pytest.raises(UserError) as err:
        draft(**changes)
    assert (err.value.message, err.value.field) == (message, field)


def test_the_day_sent() -> None:
    check_sent(sent_on=TODAY, approved_on=TODAY, today=TODAY)
    with pytest.raises(UserError) as err:
        check_sent(sent_on=date(2026, 11, 26), approved_on=TODAY, today=TODAY)
    assert err.value.message == "发出日期2026-11-26晚于今天；请填写实际发出的日期"
    with pytest.raises(UserError) as err:
        check_sent(sent_on=date(2026, 11, 24), approved_on=TODAY, today=TODAY)
    assert err.value.message == "发出日期2026-11-24早于签发日期2026-11-25；请核对"


def test_the_reply() -> None:
    assert check_reply(replied_on=TODAY, sent_on=TODAY, today=TODAY, summary=" 已采纳 ") == (
        "已采纳"
    )
    assert check_reply(replied_on=TODAY, sent_on=TODAY, today=TODAY, summary="回" * 5000)
    cases = [
        ({"replied_on": date(2026, 11, 26)}, "回复日期2026-11-26晚于今天；请填写收到回复的日期"),
        ({"replied_on": date(2026, 11, 1)}, "回复日期2026-11-01早于发出日期2026-11-02；请核对"),
        ({"summary": "  "}, "请摘要写明回复内容（采纳、整改措施或不采纳的理由）"),
        ({"summary": "回" * 5001}, "回复摘要过长（不超过5000字）；请精简"),
    ]
    for changes, message in cases:
        args: dict[str, object] = {
            "replied_on": TODAY,
            "sent_on": date(2026, 11, 2),
            "today": TODAY,
            "summary": "已采纳",
        }
        args.update(changes)
        with pytest.raises(UserError) as err:
            check_reply(**args)  # type: ignore[arg-type]
        assert err.value.message == message


def case(n: int, cause: str, *obligors: str, owed: str = "100", day: int = 1) -> GroupCase:
    return GroupCase(f"c{n}", cause, obligors, Decimal(owed), date(2026, 3, day))


def test_groups_by_obligor_count_each_obligor_of_a_case() -> None:
    cases = [
        case(1, "保险合同", "某保险公司", owed="100", day=5),
        case(2, "保险合同", "某保险公司", " 张三 ", owed="250.50", day=2),
        case(3, "借款合同", "张三", "张三", owed="-5", day=9),
        case(4, "借款合同", "李四", owed="0"),
        case(5, "借款合同", "", owed="1"),
    ]
    groups = propose_groups(cases, G.OBLIGOR, 2)
    assert groups == [
        CaseGroup(
            G.OBLIGOR,
            "某保险公司",
            ("c1", "c2"),
            Decimal("350.50"),
            date(2026, 3, 2),
            date(2026, 3, 5),
        ),
        CaseGroup(
            G.OBLIGOR, "张三", ("c2", "c3"), Decimal("250.50"), date(2026, 3, 2), date(2026, 3, 9)
        ),
    ]
    assert propose_groups(cases, G.OBLIGOR, 3) == []


def test_groups_by_cause_largest_first_then_by_amount_then_name() -> None:
    cases = [
        case(1, "乙", owed="1"),
        case(2, "乙", owed="1"),
        case(3, "甲", owed="1"),
        case(4, "甲", owed="1"),
        case(5, "丙", owed="5"),
        case(6, "丙", owed="5"),
        case(7, "丁", owed="1"),
        case(8, "丁", owed="1"),
        case(9, "丁", owed="1"),
    ]
    keys = [g.key for g in propose_groups(cases, G.CAUSE, 2)]
    assert keys == ["丁", "丙", "乙", "甲"]
    assert [g.count for g in propose_groups(cases, G.CAUSE, 2)] == [3, 2, 2, 2]


def test_grouping_needs_a_kind_and_a_threshold() -> None:
    with pytest.raises(UserError, match="只能按被申请人或按案由分组"):
        propose_groups([], G.SELECTED, 5)
    with pytest.raises(UserError):
        propose_groups([], G.CAUSE, 1)


def test_a_group_of_selected_cases_needs_one() -> None:
    with pytest.raises(UserError, match="请至少选择一件案件"):
        group_of(G.SELECTED, "", [])
    group = group_of(G.SELECTED, "", [case(1, "甲", owed="-3")])
    assert group.outstanding == Decimal("0.00")
    assert group.count == 1


def test_the_facts_sentence_says_only_what_the_cases_show() -> None:
    one = group_of(G.OBLIGOR, "某保险公司", [case(1, "甲", owed="1234.5", day=4)])
    assert group_facts(one) == (
        "2026年3月4日，本院执行前督促收案中以某保险公司为被申请人的案件共1件，"
        "尚未履行金额合计1,234.50元。"
    )
    many = group_of(G.CAUSE, "小额借款合同", [case(1, "x", day=4), case(2, "x", owed="0", day=20)])
    assert group_facts(many) == (
        "2026年3月4日至2026年3月20日，本院执行前督促收案中小额借款合同纠纷案件共2件，"
        "尚未履行金额合计100.00元。"
    )
    named = group_of(G.CAUSE, "金融借款合同纠纷", [case(1, "x", day=4)])
    assert "本院执行前督促收案中金融借款合同纠纷案件共1件" in group_facts(named)
    none = group_of(G.SELECTED, "", [case(1, "x", owed="0", day=4), case(2, "x", owed="0", day=4)])
    assert group_facts(none) == (
        "2026年3月4日，本院执行前督促收案中案件共2件，其中无尚未履行的金钱给付。"
    )
