"""Statistics on a hand-built docket where every figure is known in advance.

The cases (court setting: supervision limit 30 days; today 2026-11-25):

    A  recv 10-05  1000.00  paid in full 10-20, closed 自动履行 10-20
    B  recv 10-28  2000.00  paid in full 11-03, closed 自动履行 11-03   (taken in Oct, closed Nov)
    C  recv 10-10  3000.00  settlement 10-15 (1500 on 10-30, 1500 on 11-30); 1500 paid 10-30
    D  recv 10-12  4000.00  settlement 10-14 (4000 on 10-31) missed → 督促不成 11-05 → 移送 11-10
    E  recv 10-01  5000.00  partial payments 1000 on 10-08 and 500 on 11-02; still supervising
    F  recv 10-03   600.00  paid 10-09, closed 自动履行 10-09, then reopened (open again)
    G  recv 11-02   700.00  withdrawn 11-04
    H  recv 11-20   800.00  nothing yet
    I  recv 11-05   900.00  settlement 11-06 (900 on 11-20), paid 11-18, closed 和解履行完毕 11-19
"""

from __future__ import annotations

import io
import json
from argparse import Namespace
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.cli.stats import cmd_stats
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.identity import credit_code_check_char, resident_id_check_char
from zhiqian_desktop.domain.kinds import (
    LicenceStatus,
    PartyKind,
    PartyRole,
    PaymentMethod,
    Role,
)
from zhiqian_desktop.domain.stats import GroupBy, Period
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import PartyInput, register_case
from zhiqian_desktop.services.reporting.bankruptcy import bankruptcy_screening
from zhiqian_desktop.services.reporting.honest_list import export_honest_list, honest_performers
from zhiqian_desktop.services.reporting.reports import (
    build_report,
    export_report_pdf,
    export_report_xlsx,
)
from zhiqian_desktop.services.reporting.stats import cases_behind, compute_stats
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import User

D = date
OCT = Period(D(2026, 10, 1), D(2026, 10, 31))
NOV = Period(D(2026, 11, 1), D(2026, 11, 30))
OCT_NOV = Period(D(2026, 10, 1), D(2026, 11, 30))
B_ID = "15022119800101123" + resident_id_check_char("15022119800101123")


@dataclass
class Docket:
    ids: dict[str, str]
    handler_id: str


def _register(
    s: Session, admin: Actor, name: str, received: date, amount: str, **extra: object
) -> str:
    obligor_id = extra.pop("obligor_id", None)
    data = make_case_input(
        ord(name),
        obligor=f"被申请人{name}",
        amount=amount,
        received=received,
        effective_date=D(2026, 9, 1),
        performance_deadline=D(2026, 9, 15),
        **extra,
    )
    data.parties[1].id_number = obligor_id  # type: ignore[assignment]
    return register_case(s, admin, data, today=TODAY).id


def _pay(s: Session, admin: Actor, case_id: str, day: date, amount: str) -> None:
    outcomes.record_payment(
        s,
        admin,
        case_id,
        paid_on=day,
        amount=Decimal(amount),
        method=PaymentMethod.TRANSFER,
        payer="被申请人",
        today=TODAY,
    )


def _close(s: Session, admin: Actor, case_id: str, outcome: CaseStatus, day: date) -> None:
    outcomes.close_case(s, admin, case_id, outcome, closed_on=day, reason="结案", today=TODAY)


def _settle(
    s: Session, admin: Actor, case_id: str, signed: date, plan: list[tuple[date, str]]
) -> None:
    outcomes.record_settlement(
        s,
        admin,
        case_id,
        signed_on=signed,
        terms="分期履行",
        default_clause=None,
        guarantee=None,
        installments=[(d, Decimal(a)) for d, a in plan],
        today=TODAY,
    )


@pytest.fixture
def docket(db: Database, admin: Actor) -> Docket:
    with db.unit_of_work() as s:
        zhang = create_user(s, admin, username="zhang", display_name="张三", role=Role.HANDLER)
        hid = zhang.id
    ids: dict[str, str] = {}
    with db.unit_of_work() as s:
        ids["A"] = _register(
            s, admin, "A", D(2026, 10, 5), "1000.00", handler_id=hid, department="民一庭"
        )
        ids["B"] = _register(
            s, admin, "B", D(2026, 10, 28), "2000.00", handler_id=hid, obligor_id=B_ID
        )
        ids["C"] = _register(s, admin, "C", D(2026, 10, 10), "3000.00", handler_id=hid)
        ids["D"] = _register(s, admin, "D", D(2026, 10, 12), "4000.00", department="民一庭")
        ids["E"] = _register(s, admin, "E", D(2026, 10, 1), "5000.00")
        ids["F"] = _register(s, admin, "F", D(2026, 10, 3), "600.00")
        ids["G"] = _register(s, admin, "G", D(2026, 11, 2), "700.00", livelihood=True)
        ids["H"] = _register(s, admin, "H", D(2026, 11, 20), "800.00")
        ids["I"] = _register(s, admin, "I", D(2026, 11, 5), "900.00")
    with db.unit_of_work() as s:
        _pay(s, admin, ids["A"], D(2026, 10, 20), "1000.00")
        _close(s, admin, ids["A"], CaseStatus.PERFORMED, D(2026, 10, 20))
        _pay(s, admin, ids["B"], D(2026, 11, 3), "2000.00")
        _close(s, admin, ids["B"], CaseStatus.PERFORMED, D(2026, 11, 3))
        _settle(
            s,
            admin,
            ids["C"],
            D(2026, 10, 15),
            [(D(2026, 10, 30), "1500.00"), (D(2026, 11, 30), "1500.00")],
        )
        _pay(s, admin, ids["C"], D(2026, 10, 30), "1500.00")
        _settle(s, admin, ids["D"], D(2026, 10, 14), [(D(2026, 10, 31), "4000.00")])
        outcomes.mark_failed(
            s, admin, ids["D"], failed_on=D(2026, 11, 5), reason="和解后违约", today=TODAY
        )
        outcomes.transfer_case(
            s, admin, ids["D"], transferred_on=D(2026, 11, 10), reason="督促不成", today=TODAY
        )
        _pay(s, admin, ids["E"], D(2026, 10, 8), "1000.00")
        _pay(s, admin, ids["E"], D(2026, 11, 2), "500.00")
        _pay(s, admin, ids["F"], D(2026, 10, 9), "600.00")
        _close(s, admin, ids["F"], CaseStatus.PERFORMED, D(2026, 10, 9))
        outcomes.reopen_case(s, admin, ids["F"], "误结，申请人称款项未到账")
        _close(s, admin, ids["G"], CaseStatus.WITHDRAWN, D(2026, 11, 4))
        _settle(s, admin, ids["I"], D(2026, 11, 6), [(D(2026, 11, 20), "900.00")])
        _pay(s, admin, ids["I"], D(2026, 11, 18), "900.00")
        _close(s, admin, ids["I"], CaseStatus.SETTLEMENT_PERFORMED, D(2026, 11, 19))
    return Docket(ids, hid)


OCT_EXPECTED = {
    "cases": 6,
    "performed": 2,
    "settled": 1,
    "transferred": 1,
    "withdrawn": 0,
    "pending": 2,
    "closed": 1,
    "open_at_end": 5,
    "over_limit": 0,
    "resolution_rate": 50.0,
    "performance_rate": 33.33,
    "amount_due": "15600.00",
    "amount_received": "4100.00",
    "avg_days": 15.0,
    "median_days": 15.0,
}
NOV_EXPECTED = {
    "cases": 3,
    "performed": 0,
    "settled": 1,
    "transferred": 0,
    "withdrawn": 1,
    "pending": 1,
    "closed": 4,
    "open_at_end": 4,
    "over_limit": 3,
    "resolution_rate": 33.33,
    "performance_rate": 0.0,
    "amount_due": "2400.00",
    "amount_received": "3400.00",
    "avg_days": 12.75,
    "median_days": 10.0,
}
OCT_NOV_EXPECTED = {
    "cases": 9,
    "performed": 2,
    "settled": 2,
    "transferred": 1,
    "withdrawn": 1,
    "pending": 3,
    "closed": 5,
    "open_at_end": 4,
    "over_limit": 3,
    "resolution_rate": 44.44,
    "performance_rate": 22.22,
    "amount_due": "18000.00",
    "amount_received": "7500.00",
    "avg_days": 13.2,
    "median_days": 14.0,
}


def test_every_figure_of_a_period(db: Database, docket: Docket) -> None:
    for period, expected in ((OCT, OCT_EXPECTED), (NOV, NOV_EXPECTED), (OCT_NOV, OCT_NOV_EXPECTED)):
        with db.reader() as s:
            result = compute_stats(s, period)
        got = result.total.as_json()
        assert {k: got[k] for k in expected} == expected, period
        t = result.total
        assert t.performed + t.settled + t.transferred + t.withdrawn + t.pending == t.cases


def test_month_groups_equal_the_months_computed_alone(db: Database, docket: Docket) -> None:
    with db.reader() as s:
        by_month = compute_stats(s, OCT_NOV, GroupBy.MONTH)
    assert [g.key for g in by_month.groups] == ["2026-10", "2026-11"]
    assert [g.label for g in by_month.groups] == ["2026年10月", "2026年11月"]
    oct_, nov = (g.figures.as_json() for g in by_month.groups)
    assert {k: oct_[k] for k in OCT_EXPECTED} == OCT_EXPECTED
    assert {k: nov[k] for k in NOV_EXPECTED} == NOV_EXPECTED
    total = by_month.total.as_json()
    assert {k: total[k] for k in OCT_NOV_EXPECTED} == OCT_NOV_EXPECTED


def test_payments_of_a_deleted_case_count_in_no_month(db: Database, docket: Docket) -> None:
    """The app never deletes a case, but a case marked deleted (deleted_at) leaves every figure,
    its payments too, whether the months are asked together or one by one."""
    with db.reader() as s:
        before = compute_stats(s, OCT_NOV, GroupBy.MONTH).total.amount_received
    with db.engine.begin() as conn:
        paid = conn.execute(
            text(
                "SELECT p.case_id, sum(p.amount) FROM payment p"
                " WHERE p.paid_on BETWEEN '2026-10-01' AND '2026-11-30'"
                " GROUP BY p.case_id ORDER BY 2 DESC LIMIT 1"
            )
        ).one()
        conn.execute(
            text("UPDATE supervision_case SET deleted_at = updated_at WHERE id = :i"),
            {"i": paid[0]},
        )
    with db.reader() as s:
        by_month = compute_stats(s, OCT_NOV, GroupBy.MONTH)
        alone = [compute_stats(s, m).total.amount_received for m in (OCT, NOV)]
    assert by_month.total.amount_received == before - Decimal(paid[1]) / 100
    assert [g.figures.amount_received for g in by_month.groups] == alone


def test_groups_by_handler_department_and_livelihood(db: Database, docket: Docket) -> None:
    with db.reader() as s:
        handlers = compute_stats(s, OCT_NOV, GroupBy.HANDLER)
        departments = compute_stats(s, OCT_NOV, GroupBy.DEPARTMENT)
        livelihood = compute_stats(s, OCT_NOV, GroupBy.LIVELIHOOD)
    by_label = {g.label: g.figures for g in handlers.groups}
    assert set(by_label) == {"张三", "（未分配）"}
    zhang = by_label["张三"]
    # A, B performed; C settled; payments A 1000 + B 2000 + C 1500.
    assert (zhang.cases, zhang.performed, zhang.settled, zhang.pending) == (3, 2, 1, 0)
    assert zhang.amount_received == Decimal("4500.00")
    assert str(zhang.resolution_rate) == "100.00"
    assert by_label["（未分配）"].cases == 6
    assert handlers.total.as_json() == compute_stats_total(db, OCT_NOV)
    dep = {g.label: g.figures.cases for g in departments.groups}
    assert dep == {"民一庭": 2, "（未填写）": 7}
    assert [(g.label, g.figures.cases) for g in livelihood.groups] == [
        ("涉民生", 1),
        ("非涉民生", 8),
    ]


def compute_stats_total(db: Database, period: Period) -> dict[str, object]:
    with db.reader() as s:
        return compute_stats(s, period).total.as_json()


CASES_BEHIND = {
    ("cases", OCT): {"A", "B", "C", "D", "E", "F"},
    ("performed", OCT): {"A", "B"},
    ("settled", OCT): {"C"},
    ("transferred", OCT): {"D"},
    ("pending", OCT): {"E", "F"},
    ("closed", OCT): {"A"},
    ("open_at_end", OCT): {"B", "C", "D", "E", "F"},
    ("amount_received", OCT): {"A", "C", "E", "F"},
    ("resolution_rate", OCT): {"A", "B", "C"},
    ("closed", NOV): {"B", "D", "G", "I"},
    ("over_limit", NOV): {"C", "E", "F"},
    ("settled", NOV): {"I"},
    ("withdrawn", NOV): {"G"},
}


def test_cases_behind_each_number(db: Database, docket: Docket) -> None:
    names = {v: k for k, v in docket.ids.items()}
    with db.reader() as s:
        for (figure, period), expected in CASES_BEHIND.items():
            rows = cases_behind(s, period, figure, today=TODAY)
            assert {names[r.id] for r in rows} == expected, (figure, period)


def test_cases_behind_a_group_match_its_number(db: Database, docket: Docket) -> None:
    names = {v: k for k, v in docket.ids.items()}
    with db.reader() as s:
        result = compute_stats(s, OCT_NOV, GroupBy.HANDLER)
        for g in result.groups:
            for figure in ("cases", "performed", "settled", "pending", "closed", "open_at_end"):
                rows = cases_behind(s, OCT_NOV, figure, by=GroupBy.HANDLER, key=g.key, today=TODAY)
                assert len(rows) == g.figures.value(figure), (g.label, figure)
        nov_closed = cases_behind(
            s, OCT_NOV, "closed", by=GroupBy.MONTH, key="2026-11", today=TODAY
        )
        oct_open = cases_behind(
            s, OCT_NOV, "open_at_end", by=GroupBy.MONTH, key="2026-10", today=TODAY
        )
    assert {names[r.id] for r in nov_closed} == {"B", "D", "G", "I"}
    assert {names[r.id] for r in oct_open} == {"B", "C", "D", "E", "F"}


def test_honest_list_masks_ids_unless_a_lead_chooses(
    db: Database, admin: Actor, docket: Docket, tmp_path: Path
) -> None:
    with db.reader() as s:
        rows = honest_performers(s, NOV)
        assert [(r.name, r.way) for r in rows] == [
            ("被申请人B", "自动履行"),
            ("被申请人I", "和解履行"),
        ]
        assert [r.name for r in honest_performers(s, OCT)] == ["被申请人A"]  # F was reopened
        path = tmp_path / "名单.xlsx"
        assert export_honest_list(s, admin, NOV, path) == 2
    sheet = load_workbook(path).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    masked = B_ID[:6] + "********" + B_ID[-4:]
    assert masked in values and B_ID not in values
    with db.unit_of_work() as s:
        with pytest.raises(UserError, match="已存在"):  # not replaced unless the clerk says so
            export_honest_list(s, admin, NOV, path, unmasked=True)
        export_honest_list(s, admin, NOV, path, unmasked=True, force=True)
    values = [c.value for row in load_workbook(path).active.iter_rows() for c in row]
    assert B_ID in values
    with db.unit_of_work() as s:
        user = s.get(User, docket.handler_id)
        assert user is not None
        zhang = actor_for(user)
        with pytest.raises(PermissionDenied):
            export_honest_list(s, zhang, NOV, path, unmasked=True)


def _credit_code(body: str) -> str:
    return body + credit_code_check_char(body)


def test_bankruptcy_screening_lists_the_conditions_with_evidence(
    db: Database, admin: Actor
) -> None:
    big = _credit_code("91150221MA0000001")
    small = _credit_code("91150221MA0000002")
    revoked = _credit_code("91150221MA0000003")
    n = 0

    def company_case(name: str, code: str, amount: str, **party: object) -> str:
        nonlocal n
        n += 1
        data = make_case_input(1000 + n, amount=amount, received=D(2026, 3, 1))
        data.parties[1] = PartyInput(
            PartyRole.OBLIGOR, name, PartyKind.LEGAL_PERSON, id_number=code, **party
        )  # type: ignore[arg-type]
        data.effective_date = D(2026, 2, 1)
        data.performance_deadline = D(2026, 2, 15)
        with db.unit_of_work() as s:
            return register_case(s, admin, data, today=TODAY).id

    for _ in range(10):
        company_case("甲公司", big, "6000.00", registered_capital=Decimal("50000.00"))
    for _ in range(9):
        company_case("乙公司", small, "60000.00", registered_capital=Decimal("50000.00"))
    company_case("丙公司", revoked, "100.00", licence_status=LicenceStatus.REVOKED)
    earlier = company_case("丁公司", "", "100.00")
    with db.unit_of_work() as s:
        outcomes.transfer_case(
            s,
            admin,
            earlier,
            transferred_on=D(2026, 4, 1),
            reason="被申请人无财产可供执行",
            today=TODAY,
        )
    company_case("丁公司", "", "200.00")
    with db.reader() as s:
        found = {c.name: c for c in bankruptcy_screening(s, 2026)}
    assert set(found) == {"甲公司", "丙公司", "丁公司"}
    assert found["甲公司"].cases_in_year == 10
    assert found["甲公司"].total_in_year == Decimal("60000.00")
    assert len(found["甲公司"].cases) == 10
    assert "超过注册资本" in found["甲公司"].reason_text
    assert found["丙公司"].reason_text == "营业执照已吊销"
    assert "无财产" in found["丁公司"].reason_text and len(found["丁公司"].cases) == 2


def _cli_json(db: Database, admin: Actor, **kw: object) -> dict[str, object]:
    args = Namespace(json=True, by=None, from_date=None, to_date=None)
    for k, v in kw.items():
        setattr(args, k, v)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cmd_stats(db, admin, args) == 0
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_cli_json_and_report_carry_the_same_numbers(
    db: Database, admin: Actor, docket: Docket, tmp_path: Path
) -> None:
    data = _cli_json(db, admin, from_date="2026-11-01", to_date="2026-11-30")
    assert {k: data[k] for k in NOV_EXPECTED} == NOV_EXPECTED
    grouped = _cli_json(db, admin, from_date="2026-10-01", to_date="2026-11-30", by="month")
    assert [g["cases"] for g in grouped["groups"]] == [6, 3]  # type: ignore[index]
    assert grouped["resolution_rate"] == 44.44

    with db.reader() as s:
        report = build_report(s, "month", NOV, today=D(2026, 12, 1))
    pdf = tmp_path / "月报.pdf"
    export_report_pdf(report, pdf)
    export_report_xlsx(report, tmp_path / "月报.xlsx")
    text = pdf_text(pdf)
    assert "执前督促工作月报" in text and "土默特右旗人民法院" in text
    assert "二〇二六年十二月一日" in text
    assert "统计期间：2026年11月1日至2026年11月30日" in text
    flat = text.replace(" ", "").replace("\n", "")
    assert f"本期收案{data['cases']}件" in flat
    assert f"化解率{data['resolution_rate']:.2f}%" in flat
    assert f"自动履行率{data['performance_rate']:.2f}%" in flat
    assert f"本期结案{data['closed']}件" in flat
    assert "到位金额¥3,400.00" in flat
    assert f"期末未结{data['open_at_end']}件，其中超期未结{data['over_limit']}件" in flat
    sheet = load_workbook(tmp_path / "月报.xlsx")["总体情况"]
    shown = {r[0].value: r[1].value for r in sheet.iter_rows(min_row=3)}
    assert shown["化解率"] == "33.33%" and shown["收案"] == "3"
