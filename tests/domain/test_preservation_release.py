"""The release ruling's rules: its number (the case's next 之N), the ground of each release
reason, and when neither the ruling nor its notice may be made."""

from __future__ import annotations

from datetime import date

import pytest

from zhiqian_desktop.domain.kinds import ReleaseReason
from zhiqian_desktop.domain.preservation_release import (
    NOTICE_ARTICLES,
    RELEASE_GROUNDS,
    release_notice_refusal,
    release_ruling_number,
    release_ruling_refusal,
    ruling_seq_of,
)

NO = "（2026）内0221执前督12号"
D = date(2026, 11, 20)


def test_ruling_seq_of_reads_the_number_back() -> None:
    assert ruling_seq_of(NO, NO + "之一") == 1
    assert ruling_seq_of(NO, NO + "之十二") == 12
    assert ruling_seq_of(NO, NO + "之九百九十九") == 999
    assert ruling_seq_of(NO, NO + "-协执1") is None
    assert ruling_seq_of(NO, NO + "之") is None
    assert ruling_seq_of(NO, "（2026）内0221执前督1号之一") is None
    assert ruling_seq_of(NO, NO + "之一千") is None


def test_the_release_takes_the_next_number_never_one_given() -> None:
    assert release_ruling_number(NO, []) == NO + "之一"
    assert release_ruling_number(NO, [NO + "之一"]) == NO + "之二"
    # A voided or removed 之三 still holds its number; other document numbers do not count.
    taken = [
        NO + "之一",
        NO + "之三",
        NO + "-协执1",
        NO + "-解保协执2",
        "（2026）内0221执前督1号之九",
    ]
    assert release_ruling_number(NO, taken) == NO + "之四"


def test_every_reason_but_other_has_its_ground() -> None:
    assert set(RELEASE_GROUNDS) == set(ReleaseReason)
    assert RELEASE_GROUNDS[ReleaseReason.OTHER] is None
    expected = {
        ReleaseReason.NO_ENFORCEMENT: ("五日内未向本院申请执行", "解释》第一百六十三条"),
        ReleaseReason.WITHDRAWN: ("申请解除保全", "第一百六十六条第一款第二项"),
        ReleaseReason.SECURITY: ("提供担保", "民事诉讼法》第一百零七条"),
        ReleaseReason.PERFORMED: ("已履行", "第一百六十六条第一款第四项"),
        ReleaseReason.SETTLED: ("达成和解", "第一百六十六条第一款第四项"),
    }
    for reason, (finding, article) in expected.items():
        ground = RELEASE_GROUNDS[reason]
        assert ground is not None
        assert finding in ground.finding and article in ground.articles, reason
        assert "第一百五十七条第一款第四项" in ground.articles
        assert ground.finding.endswith("。")
    assert "第二十三条" in str(RELEASE_GROUNDS[ReleaseReason.WITHDRAWN])
    assert NOTICE_ARTICLES.endswith("第一百六十五条、第一百六十六条")


def _refusal(**kw: object) -> str | None:
    args: dict[str, object] = {
        "ruling_no": NO + "之一",
        "released_on": date(2026, 11, 25),
        "reason": ReleaseReason.PERFORMED,
        "issued": None,
        "deadline": D,
        "application_received_on": None,
        "taken_on": date(2026, 11, 18),
    }
    args.update(kw)
    return release_ruling_refusal(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"ruling_no": None}, "尚未裁定"),
        ({"released_on": None}, "尚未登记解除"),
        ({"reason": None}, "尚未登记解除"),
        ({"issued": NO + "之二"}, "已出具解除保全裁定书（2026）内0221执前督12号之二，不能重复裁定"),
        ({"reason": ReleaseReason.OTHER}, "没有可援引的解除保全的法定情形"),
        # art. 163: not before the five days have run out …
        ({"reason": ReleaseReason.NO_ENFORCEMENT, "released_on": D}, "第一百六十三条"),
        # … nor when enforcement was applied for in time.
        (
            {"reason": ReleaseReason.NO_ENFORCEMENT, "application_received_on": D},
            "第一百六十三条",
        ),
    ],
)
def test_release_ruling_refusals(change: dict[str, object], words: str) -> None:
    refusal = _refusal(**change)
    assert refusal is not None and words in refusal


def test_release_ruling_allowed() -> None:
    assert _refusal() is None
    for reason in (ReleaseReason.WITHDRAWN, ReleaseReason.SECURITY, ReleaseReason.SETTLED):
        assert _refusal(reason=reason) is None
    late = date(2026, 11, 21)
    assert _refusal(reason=ReleaseReason.NO_ENFORCEMENT, released_on=late) is None
    # Applied for only after the five days: still a release under art. 163.
    assert (
        _refusal(
            reason=ReleaseReason.NO_ENFORCEMENT, released_on=late,
            application_received_on=late,
        )
        is None
    )  # fmt: skip


def test_release_notice_refusals() -> None:
    ok = {"released_on": D, "ruling": NO + "之二", "holder": "某银行"}
    assert release_notice_refusal(**ok) is None  # type: ignore[arg-type]
    for change, words in (
        ({"released_on": None}, "尚未解除"),
        ({"ruling": None}, "未出具或已作废"),
        ({"holder": ""}, "没有登记协助执行单位"),
        ({"holder": None}, "没有登记协助执行单位"),
    ):
        refusal = release_notice_refusal(**{**ok, **change})  # type: ignore[arg-type]
        assert refusal is not None and words in refusal
