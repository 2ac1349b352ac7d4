"""分案: every rule, livelihood first, the reasons a case is left without a handler."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhiqian_desktop.domain.assignment import (
    NO_HANDLERS,
    Area,
    CaseToAssign,
    HandlerLoad,
    area_of,
    assignment_order,
    propose,
    split_townships,
    township_clash,
)
from zhiqian_desktop.domain.kinds import AssignmentRule

R = AssignmentRule
DAY = date(2026, 11, 2)


def case(
    n: int,
    *,
    livelihood: bool = False,
    cause: str = "民间借贷纠纷",
    address: str = "",
    tribunal: str | None = None,
    days: int = 0,
) -> CaseToAssign:
    return CaseToAssign(
        case_id=f"c{n}",
        case_no=f"（2026）内0221执前督{n}号",
        order=(2026, n),
        cause=cause,
        livelihood=livelihood,
        received_date=DAY + timedelta(days=days),
        tribunal_id=tribunal,
        obligor_addresses=(address,) if address else (),
    )


def people(*loads: int, tribunals: tuple[str | None, ...] = ()) -> list[HandlerLoad]:
    return [
        HandlerLoad(f"h{i}", f"承办人{i}", tribunals[i] if i < len(tribunals) else None, load)
        for i, load in enumerate(loads)
    ]


AREAS = [
    Area("t1", "美岱召法庭", ("美岱召镇", "沟门镇")),
    Area("t2", "萨拉齐法庭", ("萨拉齐镇", "城关镇")),
]


def test_townships_are_split_on_any_separator_and_kept_once() -> None:
    assert split_townships("美岱召镇、沟门镇，将军尧镇; 美岱召镇\n九峰山") == (
        "美岱召镇",
        "沟门镇",
        "将军尧镇",
        "九峰山",
    )
    assert split_townships(None) == ()
    assert split_townships(" 、 ") == ()


def test_a_township_in_two_areas_is_refused_by_name() -> None:
    clash = township_clash([*AREAS, Area("t3", "双龙法庭", ("双龙镇", "沟门镇"))])
    assert clash is not None
    assert "沟门镇" in clash and "美岱召法庭" in clash and "双龙法庭" in clash
    assert township_clash(AREAS) is None
    # Listed twice for the same tribunal is no clash.
    assert township_clash([Area("t1", "美岱召法庭", ("沟门镇", "沟门镇"))]) is None


def test_the_area_is_found_from_the_first_address_naming_a_township() -> None:
    assert area_of(["包头市土右旗萨拉齐镇新华街"], AREAS) == AREAS[1]
    assert area_of(["呼和浩特市", "土右旗美岱召镇某村"], AREAS) == AREAS[0]
    assert area_of(["呼和浩特市新城区"], AREAS) is None
    assert area_of([], AREAS) is None


def test_the_longest_township_name_wins() -> None:
    areas = [Area("a", "甲法庭", ("关镇",)), Area("b", "乙法庭", ("城关镇",))]
    assert area_of(["某县城关镇东街"], areas) == areas[1]
    assert area_of(["某县关镇东街"], areas) == areas[0]


def test_two_townships_of_the_same_length_go_to_the_tribunal_listed_first() -> None:
    a, b = Area("a", "甲法庭", ("沟门镇",)), Area("b", "乙法庭", ("海子乡",))
    assert area_of(["沟门镇与海子乡交界处"], [a, b]) == a
    assert area_of(["沟门镇与海子乡交界处"], [b, a]) == b


def test_livelihood_cases_come_first_then_by_receipt_and_number() -> None:
    cases = [case(3), case(1, days=1), case(2, livelihood=True, days=5), case(4, days=-1)]
    assert [c.case_id for c in assignment_order(cases)] == ["c2", "c4", "c3", "c1"]


def test_balanced_gives_each_case_to_the_least_loaded_and_livelihood_first() -> None:
    result = propose([case(1), case(2, livelihood=True), case(3)], people(2, 0, 1), R.BALANCED)
    assert [(p.case_id, p.handler_id) for p in result] == [
        ("c2", "h1"),  # the livelihood case first, to the handler with no open case
        ("c1", "h1"),  # h1 now 1, h2 1: the tie goes to the first in order
        ("c3", "h2"),
    ]
    assert all(p.reason is None for p in result)


def test_round_robin_carries_on_after_the_last_handler_regardless_of_load() -> None:
    cases = [case(i) for i in range(1, 6)]
    result = propose(cases, people(9, 0, 0), R.ROUND_ROBIN, last_handler_id="h1")
    assert [p.handler_id for p in result] == ["h2", "h0", "h1", "h2", "h0"]
    start = propose(cases[:2], people(9, 0, 0), R.ROUND_ROBIN, last_handler_id="gone")
    assert [p.handler_id for p in start] == ["h0", "h1"]


def test_by_area_the_obligors_township_chooses_the_tribunals_handlers() -> None:
    handlers = people(0, 5, 3, 0, tribunals=("t1", "t2", "t2", None))
    result = propose(
        [
            case(1, address="土右旗萨拉齐镇"),
            case(2, address="土右旗美岱召镇"),
            case(3, address="土右旗城关镇"),
            case(4, address="北京市"),
            case(5, tribunal="t1"),  # its tribunal already set: no address needed
        ],
        handlers,
        R.AREA,
        areas=AREAS,
    )
    by_case = {p.case_id: p for p in result}
    assert (by_case["c1"].handler_id, by_case["c1"].tribunal_id) == ("h2", "t2")
    assert (by_case["c3"].handler_id, by_case["c3"].tribunal_id) == ("h2", "t2")  # h2 4, h1 5
    assert (by_case["c2"].handler_id, by_case["c2"].tribunal_id) == ("h0", "t1")
    assert by_case["c5"].handler_id == "h0"
    assert by_case["c4"].handler_id is None and by_case["c4"].tribunal_id is None
    assert "不在任何法庭的辖区" in (by_case["c4"].reason or "")


def test_by_area_a_tribunal_without_handlers_is_named() -> None:
    [p] = propose([case(1, address="美岱召镇")], people(0), R.AREA, areas=AREAS)
    assert p.handler_id is None and p.tribunal_id == "t1"
    assert p.reason is not None and "美岱召法庭没有承办人" in p.reason


def test_by_cause_only_the_causes_handlers_and_the_rest_explained() -> None:
    causes = {" 劳务合同纠纷 ": ["h1", "h2"], "民间借贷纠纷": ["gone"]}
    result = propose(
        [case(1, cause="劳务合同纠纷"), case(2, cause="民间借贷纠纷"), case(3, cause="离婚纠纷")],
        people(0, 4, 2),
        R.CAUSE,
        causes=causes,
    )
    assert [p.handler_id for p in result] == ["h2", None, None]
    assert "民间借贷纠纷" in (result[1].reason or "")
    assert "离婚纠纷" in (result[2].reason or "")


@pytest.mark.parametrize("rule", list(R))
def test_without_handlers_every_rule_says_so(rule: AssignmentRule) -> None:
    result = propose([case(1), case(2)], [], rule, areas=AREAS, causes={})
    assert [p.reason for p in result] == [NO_HANDLERS, NO_HANDLERS]
    assert all(p.handler_id is None for p in result)


@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=6),
    st.lists(st.booleans(), max_size=40),
)
def test_balanced_evens_out_the_work(loads: list[int], livelihood: list[bool]) -> None:
    cases = [case(i, livelihood=flag) for i, flag in enumerate(livelihood)]
    result = propose(cases, people(*loads), R.BALANCED)
    assert len(result) == len(cases) and all(p.handler_id for p in result)
    got = Counter(p.handler_id for p in result)
    final = [load + got[f"h{i}"] for i, load in enumerate(loads)]
    # Nobody who received a case ends with more than one case above anyone else.
    for i in range(len(loads)):
        if got[f"h{i}"]:
            assert final[i] <= min(final) + 1
    # Livelihood cases are handed out before any other case.
    flags = [c.livelihood for c in assignment_order(cases)]
    assert [p.case_id for p in result] == [c.case_id for c in assignment_order(cases)]
    assert flags == sorted(flags, reverse=True)


@given(st.integers(1, 7), st.integers(0, 30))
def test_round_robin_shares_within_one(n_handlers: int, n_cases: int) -> None:
    result = propose([case(i) for i in range(n_cases)], people(*[0] * n_handlers), R.ROUND_ROBIN)
    got = Counter(p.handler_id for p in result)
    counts = [got[f"h{i}"] for i in range(n_handlers)]
    assert max(counts) - min(counts) <= 1
