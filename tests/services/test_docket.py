"""The docket service: registering and editing cases, permissions, and the docket query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input, module_backends
from zhiqian_desktop.domain.errors import PermissionDenied, StaleEditError, UserError
from zhiqian_desktop.domain.identity import credit_code_check_char, resident_id_check_char
from zhiqian_desktop.domain.kinds import ContactKind, PartyKind, PartyRole, PaymentMethod, Role
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.calendar import deadline
from zhiqian_desktop.services.core.staff import add_tribunal
from zhiqian_desktop.services.core.users import actor_for, create_user, default_actor
from zhiqian_desktop.services.intake.docket import (
    SORT_KEYS,
    DocketQuery,
    PartyInput,
    count_cases,
    get_case,
    list_cases,
    refresh_derived,
    register_case,
    update_case,
)
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.models import AuditEvent, ContactLog, Party, Payment, SupervisionCase


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


VALID_ID = resident_id("15022119850315123")
VALID_CREDIT = "91150221MA0N12345" + credit_code_check_char("91150221MA0N12345")


def make_user(db: Database, admin: Actor, username: str, role: Role, name: str) -> Actor:
    with db.unit_of_work() as s:
        return actor_for(create_user(s, admin, username=username, display_name=name, role=role))


def audit_count(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


# --- registering -----------------------------------------------------------------------------


def test_register_issues_a_number_and_keeps_the_derived_columns(db: Database, admin: Actor) -> None:
    data = make_case_input(obligor="王某某", phone="139-1234-5678")
    data.parties.append(
        PartyInput(
            PartyRole.OBLIGOR,
            "  包头某某商贸有限公司 ",
            PartyKind.LEGAL_PERSON,
            id_number=VALID_CREDIT.lower(),
            phones="0472-5123456",
        )
    )
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, data, today=TODAY).id
    with db.reader() as s:
        case = get_case(s, case_id)
        assert case.case_no == "（2026）内0221执前督1号"
        assert (case.case_year, case.case_seq, case.version) == (2026, 1, 1)
        assert case.status is CaseStatus.REGISTERED
        assert case.amount_due == Decimal("12345.67")
        assert case.amount_paid == Decimal("0.00")
        assert case.obligor_names == "王某某、包头某某商贸有限公司"
        assert [p.name for p in case.parties] == ["李某", "王某某", "包头某某商贸有限公司"]
        assert case.parties[1].phones == "13912345678"
        assert case.parties[2].id_number == VALID_CREDIT
        for word in ("执前督1号", "民初1号", "王某某", "13912345678", VALID_CREDIT.lower()):
            assert word in case.search_text
        # Supervision time limit (30 days) from 2026-11-20 ends 2026-12-20, a Sunday -> Monday.
        assert case.next_due_date == date(2026, 12, 21)


def _without_obligor(d: Any) -> None:
    d.parties = [p for p in d.parties if p.role is not PartyRole.OBLIGOR]


def _bad_id(d: Any) -> None:
    wrong = VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")
    d.parties[1].id_number = wrong


def _bad_phone(d: Any) -> None:
    d.parties[1].phones = "1391234567"


def _future(d: Any) -> None:
    d.received_date = TODAY + timedelta(days=1)


def _bad_credit_code(d: Any) -> None:
    d.parties[1] = PartyInput(
        PartyRole.OBLIGOR, "某公司", PartyKind.LEGAL_PERSON, "91150221MA0N123450"
    )


@pytest.mark.parametrize(
    ("spoil", "field", "words"),
    [
        (_without_obligor, "parties", "被申请人"),
        (_bad_id, "parties[1].id_number", "校验位"),
        (_bad_phone, "parties[1].phones", "电话号码"),
        (_future, "received_date", "晚于今天"),
        (_bad_credit_code, "parties[1].id_number", "统一社会信用代码"),
    ],
    ids=["missing-obligor", "id-checksum", "phone", "future-received", "credit-code"],
)
def test_register_refuses_bad_input_with_the_field(
    db: Database, admin: Actor, spoil: Callable[[Any], None], field: str, words: str
) -> None:
    data = make_case_input()
    spoil(data)
    before = audit_count(db)
    with pytest.raises(UserError, match=words) as info, db.unit_of_work() as s:
        register_case(s, admin, data, today=TODAY)
    assert info.value.field == field
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionCase)) == 0
    assert audit_count(db) == before


def test_register_refuses_a_duplicate_original_case_number(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(7), today=TODAY)
    duplicate = make_case_input(7, obligor="另一人")
    duplicate.original_case_no = f"  {duplicate.original_case_no} "
    with pytest.raises(UserError, match="执前督1号") as info, db.unit_of_work() as s:
        register_case(s, admin, duplicate, today=TODAY)
    assert info.value.field == "original_case_no"
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionCase)) == 1


def test_a_readonly_user_cannot_register(db: Database, admin: Actor) -> None:
    viewer = make_user(db, admin, "viewer", Role.READONLY, "查阅员")
    with pytest.raises(PermissionDenied, match="只读"), db.unit_of_work() as s:
        register_case(s, viewer, make_case_input(), today=TODAY)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionCase)) == 0


# --- editing ---------------------------------------------------------------------------------


def test_update_saves_the_edit_and_bumps_the_version(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    edit = make_case_input(cause="买卖合同纠纷", amount="500.00", livelihood=True)
    with db.unit_of_work() as s:
        update_case(s, admin, case_id, 1, edit, today=TODAY)
    with db.reader() as s:
        case = get_case(s, case_id)
        assert (case.cause, case.amount_due, case.livelihood) == (
            "买卖合同纠纷",
            Decimal("500.00"),
            True,
        )
        assert case.version == 2
        assert case.case_no == "（2026）内0221执前督1号"


def test_a_stale_edit_is_refused_and_changes_nothing(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    with db.unit_of_work() as s:
        update_case(s, admin, case_id, 1, make_case_input(cause="先保存的案由"), today=TODAY)
    events = audit_count(db)
    with pytest.raises(StaleEditError, match="已被他人修改"), db.unit_of_work() as s:
        update_case(s, admin, case_id, 1, make_case_input(cause="过时的案由"), today=TODAY)
    with db.reader() as s:
        case = get_case(s, case_id)
        assert (case.cause, case.version) == ("先保存的案由", 2)
    assert audit_count(db) == events


def test_a_handler_edits_own_cases_but_not_a_colleagues(db: Database, admin: Actor) -> None:
    wang = make_user(db, admin, "wang", Role.HANDLER, "王承办")
    zhao = make_user(db, admin, "zhao", Role.HANDLER, "赵承办")
    lead = make_user(db, admin, "lead", Role.LEAD, "刘组长")
    with db.unit_of_work() as s:
        case = register_case(s, wang, make_case_input(), today=TODAY)
        case_id = case.id
        assert case.handler_id == wang.user_id  # a handler's own registration is theirs
    edit = make_case_input(cause="赵改的", handler_id=wang.user_id)
    with pytest.raises(PermissionDenied, match="不是您承办"), db.unit_of_work() as s:
        update_case(s, zhao, case_id, 1, edit, today=TODAY)
    with db.unit_of_work() as s:
        update_case(s, wang, case_id, 1, replace(edit, cause="王改的"), today=TODAY)
    with db.unit_of_work() as s:
        update_case(s, lead, case_id, 2, replace(edit, cause="组长改的"), today=TODAY)
    with db.reader() as s:
        assert get_case(s, case_id).cause == "组长改的"


@pytest.mark.parametrize(
    "status", [CaseStatus.PERFORMED, CaseStatus.TRANSFERRED, CaseStatus.ARCHIVED]
)
def test_a_closed_case_is_read_only(db: Database, admin: Actor, status: CaseStatus) -> None:
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(), today=TODAY)
        case.status = status
        case.closed_date = TODAY
    with pytest.raises(UserError, match="不能修改"), db.unit_of_work() as s:
        update_case(s, admin, case.id, 2, make_case_input(cause="改动"), today=TODAY)
    with db.reader() as s:
        assert get_case(s, case.id).cause == "民间借贷纠纷"


def test_a_removed_party_is_soft_deleted_and_vanishes_from_the_case(
    db: Database, admin: Actor
) -> None:
    data = make_case_input(obligor="甲某")
    data.parties.append(PartyInput(PartyRole.OBLIGOR, "乙某", phones="13811112222"))
    with db.unit_of_work() as s:
        case = register_case(s, admin, data, today=TODAY)
        case_id = case.id
        kept = [replace(PartyInput(p.role, p.name, p.kind), id=p.id) for p in case.parties[:2]]
    with db.unit_of_work() as s:
        update_case(s, admin, case_id, 1, replace(data, parties=kept), today=TODAY)
    with db.reader() as s:
        case = get_case(s, case_id)
        assert [p.name for p in case.parties] == ["李某", "甲某"]
        assert case.obligor_names == "甲某"
        assert "乙某" not in case.search_text and "13811112222" not in case.search_text
        gone = s.scalars(select(Party).where(Party.name == "乙某")).one()
        assert gone.deleted_at is not None and gone.case_id == case_id
        assert count_cases(s, DocketQuery(text="乙某")) == 0
        assert count_cases(s, DocketQuery(text="甲某")) == 1


def test_a_soft_deleted_party_is_not_loaded_with_its_case(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(obligor="丙某"), today=TODAY)
        case.parties[1].deleted_at = datetime.now(UTC)
        case_id = case.id
    with db.reader() as s:
        assert [p.name for p in get_case(s, case_id).parties] == ["李某"]


# --- the docket query ------------------------------------------------------------------------

NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八"]
CAUSES = ["民间借贷纠纷", "买卖合同纠纷", "劳务合同纠纷"]
N = 26


@dataclass(frozen=True)
class Spec:
    n: int
    obligor: str
    phone: str
    id_number: str
    received: date
    amount: Decimal
    cause: str
    handler: int | None  # index into the two handlers
    tribunal: int | None
    livelihood: bool
    status: CaseStatus
    paid: Decimal
    follow_up: date | None


def spec(n: int) -> Spec:
    received = date(2025, 12, 1) + timedelta(days=13 * n)
    closed = CaseStatus.PERFORMED if n % 6 == 0 else None
    return Spec(
        n=n,
        obligor=NAMES[n % 6] + ("" if n < 13 else "某"),
        phone=f"139{n:08d}",
        id_number=resident_id(f"150221198{n % 10}0101{n:03d}"),
        received=received,
        amount=Decimal(f"{(n * 7919) % 50000}.{n:02d}"),
        cause=CAUSES[(n // 2) % 3],
        handler=None if n % 3 == 2 else n % 3,
        tribunal=None if n % 4 == 0 else n % 2,
        livelihood=n % 5 == 0,
        status=closed or (CaseStatus.SUPERVISING if n % 7 == 0 else CaseStatus.REGISTERED),
        paid=Decimal(f"{n * 10}.50") if n % 4 == 1 else Decimal("0.00"),
        follow_up=date(2026, 11, n) if n % 5 == 1 else None,
    )


SPECS = [spec(n) for n in range(1, N + 1)]


@dataclass
class Docket:
    db: Database
    handlers: list[str]
    handler_names: dict[str, str]
    tribunals: list[str]
    case_ids: dict[int, str]  # spec number -> case id


@pytest.fixture(scope="module", params=module_backends())
def docket(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Docket]:
    """One populated docket shared by the read-only query tests below (on each backend)."""
    server = None
    if getattr(request, "param", "sqlite") == "postgresql":
        server = request.getfixturevalue("pg_server")
        url = server.create(initialised=False)
    else:
        url = sqlite_url(tmp_path_factory.mktemp("docket") / "docket.db")
    db = open_app_database(url)
    with db.unit_of_work() as s:
        settings_service.initialize(s, settings_service.SetupInput("土默特右旗人民法院", "内0221"))
    with db.unit_of_work() as s:
        admin = default_actor(s)
        users = [
            create_user(s, admin, username=u, display_name=d, role=Role.HANDLER)
            for u, d in (("wang", "王承办"), ("zhao", "赵承办"))
        ]
        courts = [add_tribunal(s, admin, name) for name in ("沟门法庭", "萨拉齐法庭")]
        handlers = [u.id for u in users]
        names = {u.id: u.display_name for u in users}
        tribunals = [t.id for t in courts]
        limit = settings_service.get_settings(s).supervision_limit_days
        ids: dict[int, str] = {}
        for sp in SPECS:
            data = make_case_input(
                sp.n,
                obligor=sp.obligor,
                phone=sp.phone,
                amount=str(sp.amount),
                received=sp.received,
                cause=sp.cause,
                effective_date=sp.received - timedelta(days=10),
                performance_deadline=None,
                handler_id=None if sp.handler is None else handlers[sp.handler],
                tribunal_id=None if sp.tribunal is None else tribunals[sp.tribunal],
                livelihood=sp.livelihood,
            )
            data.parties[1].id_number = sp.id_number
            case = register_case(s, admin, data, today=TODAY)
            if sp.paid:
                s.add(
                    Payment(
                        case_id=case.id,
                        paid_on=sp.received,
                        amount=sp.paid,
                        method=PaymentMethod.TRANSFER,
                    )
                )
            if sp.follow_up:
                s.add(
                    ContactLog(
                        case_id=case.id,
                        kind=ContactKind.PHONE,
                        summary="电话督促",
                        contacted_at=datetime(2026, 10, 1, 9, tzinfo=UTC),
                        next_follow_up=sp.follow_up,
                    )
                )
            case.status = sp.status
            if sp.status is CaseStatus.PERFORMED:
                case.closed_date = sp.received + timedelta(days=20)
            s.flush()
            refresh_derived(s, case, limit_days=limit)
            ids[sp.n] = case.id
    yield Docket(db, handlers, names, tribunals, ids)
    db.dispose()
    if server is not None:
        server.drop(url)


def ids_of(d: Docket, specs: list[Spec]) -> set[str]:
    return {d.case_ids[sp.n] for sp in specs}


def query(d: Docket, q: DocketQuery) -> set[str]:
    with d.db.reader() as s:
        rows = list_cases(s, q, today=TODAY, limit=1000)
        assert count_cases(s, q) == len(rows)
    return {r.id for r in rows}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13900000012", lambda sp: sp.n == 12),  # a whole phone number
        ("1390000001", lambda sp: 10 <= sp.n <= 19),  # a phone fragment
        ("张三", lambda sp: sp.obligor.startswith("张三")),  # a party name
        ("张三某", lambda sp: sp.obligor == "张三某"),
        ("李某", lambda sp: True),  # the applicant of every case
        ("执前督12号", lambda sp: sp.n == 14),  # case number fragment (n=1, 2 are 2025 cases)
        ("（2025）", lambda sp: sp.received.year == 2025),
        ("民初7号", lambda sp: sp.n == 7),  # original case number
        (resident_id("150221198301010" + "13")[-8:], lambda sp: sp.n == 13),  # ID fragment
        ("王五 13900000008", lambda sp: sp.n == 8),  # every word must match
        ("没有这个人", lambda sp: False),
        ("100%", lambda sp: False),  # LIKE wildcards are literal
    ],
    ids=[
        "phone",
        "phone-fragment",
        "name",
        "name-exact",
        "applicant",
        "case-no",
        "year",
        "original-no",
        "id-number",
        "two-words",
        "nothing",
        "wildcard",
    ],
)
def test_text_search(docket: Docket, text: str, expected: Callable[[Spec], bool]) -> None:
    assert query(docket, DocketQuery(text=text)) == ids_of(
        docket, [sp for sp in SPECS if expected(sp)]
    )


def test_text_search_ignores_case_of_the_id_check_character(docket: Docket) -> None:
    sp = SPECS[9 - 1]
    assert sp.id_number.endswith("X")
    assert query(docket, DocketQuery(text=sp.id_number.lower())) == {docket.case_ids[sp.n]}
    assert query(docket, DocketQuery(text=sp.id_number)) == {docket.case_ids[sp.n]}


def _filters(d: Docket) -> list[tuple[DocketQuery, Callable[[Spec], bool]]]:
    h0, h1 = d.handlers
    t0, _t1 = d.tribunals
    return [
        (DocketQuery(statuses=frozenset({CaseStatus.PERFORMED})), lambda sp: sp.n % 6 == 0),
        (
            DocketQuery(statuses=frozenset({CaseStatus.REGISTERED, CaseStatus.SUPERVISING})),
            lambda sp: sp.n % 6 != 0,
        ),
        (DocketQuery(handler_id=h0), lambda sp: sp.handler == 0),
        (DocketQuery(handler_id=h1), lambda sp: sp.handler == 1),
        (DocketQuery(tribunal_id=t0), lambda sp: sp.tribunal == 0),
        (DocketQuery(livelihood=True), lambda sp: sp.livelihood),
        (DocketQuery(livelihood=False), lambda sp: not sp.livelihood),
        (
            DocketQuery(received_from=date(2026, 3, 1), received_to=date(2026, 6, 30)),
            lambda sp: date(2026, 3, 1) <= sp.received <= date(2026, 6, 30),
        ),
        (DocketQuery(received_to=date(2025, 12, 31)), lambda sp: sp.received.year == 2025),
        (
            DocketQuery(handler_id=h1, livelihood=False, text="1390000002"),
            lambda sp: sp.handler == 1 and not sp.livelihood and 20 <= sp.n <= 26,
        ),
    ]


@pytest.mark.parametrize("index", range(10))
def test_filters(docket: Docket, index: int) -> None:
    q, expected = _filters(docket)[index]
    wanted = ids_of(docket, [sp for sp in SPECS if expected(sp)])
    assert wanted, "the filter should select something"
    assert query(docket, q) == wanted


def test_overdue_filter_uses_the_next_due_date(docket: Docket) -> None:
    with docket.db.reader() as s:
        due = {
            r[0]: r[1] for r in s.execute(select(SupervisionCase.id, SupervisionCase.next_due_date))
        }
    on = date(2026, 11, 10)
    expected = {cid for cid, d in due.items() if d is not None and d < on}
    assert expected and len(expected) < len(due)
    assert query(docket, DocketQuery(overdue_on=on)) == expected
    # Closed cases have no next due date and are never overdue.
    closed = ids_of(docket, [sp for sp in SPECS if sp.status is CaseStatus.PERFORMED])
    assert all(due[c] is None for c in closed)
    # Open cases: the earlier of the promised follow-up and the end of the supervision limit.
    with docket.db.reader() as s:
        for sp in SPECS:
            if sp.status is CaseStatus.PERFORMED:
                continue
            limit_end = deadline(s, sp.received, 30).end
            expected_due = min(d for d in (sp.follow_up, limit_end) if d is not None)
            assert due[docket.case_ids[sp.n]] == expected_due, sp.n


def _sort_value(d: Docket, sp: Spec, key: str, row: SupervisionCase) -> Any:
    closed = row.closed_date
    values: dict[str, Any] = {
        "case_no": (row.case_year, row.case_seq),
        "original_case_no": row.original_case_no,
        "cause": sp.cause,
        "obligor": row.obligor_names,
        "amount_due": sp.amount,
        "amount_paid": sp.paid,
        "status": sp.status.value,
        "handler": None if sp.handler is None else d.handler_names[d.handlers[sp.handler]],
        "days": ((closed or TODAY) - sp.received).days,
        "next_due": row.next_due_date,
    }
    value = values[key]
    return (0,) if value is None else (1, value)  # SQLite sorts NULL first


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_sorting_by_every_column(docket: Docket, key: str, descending: bool) -> None:
    with docket.db.reader() as s:
        rows = {c.id: c for c in s.scalars(select(SupervisionCase))}
        got = [
            r.id for r in list_cases(s, DocketQuery(sort=key, descending=descending), today=TODAY)
        ]
    by_id = {docket.case_ids[sp.n]: sp for sp in SPECS}

    def order(cid: str) -> tuple[Any, Any]:
        row = rows[cid]
        return _sort_value(docket, by_id[cid], key, row), (row.case_year, row.case_seq)

    expected = sorted(by_id, key=order, reverse=descending)
    assert got == expected


def test_default_order_is_newest_case_number_first(docket: Docket) -> None:
    with docket.db.reader() as s:
        rows = list_cases(s, DocketQuery(), today=TODAY, limit=3)
    assert [r.case_no for r in rows] == [f"（2026）内0221执前督{k}号" for k in (24, 23, 22)]


def test_an_unknown_sort_key_is_refused(docket: Docket) -> None:
    with docket.db.reader() as s, pytest.raises(UserError):
        list_cases(s, DocketQuery(sort="drop table"), today=TODAY)


@pytest.mark.parametrize("key", ["case_no", "cause", "handler", "status"])
def test_paging_is_stable(docket: Docket, key: str) -> None:
    q = DocketQuery(sort=key, descending=False)
    with docket.db.reader() as s:
        whole = [r.id for r in list_cases(s, q, today=TODAY, limit=1000)]
        pages: list[str] = []
        for offset in range(0, N + 5, 5):
            pages += [r.id for r in list_cases(s, q, today=TODAY, offset=offset, limit=5)]
        again = [r.id for r in list_cases(s, q, today=TODAY, offset=5, limit=5)]
    assert pages == whole
    assert len(set(pages)) == N
    assert again == whole[5:10]


def test_docket_rows_carry_what_the_table_shows(docket: Docket) -> None:
    sp = next(
        s for s in SPECS if s.paid and s.handler is not None and s.status is CaseStatus.REGISTERED
    )
    with docket.db.reader() as s:
        (row,) = list_cases(s, DocketQuery(text=sp.phone), today=TODAY)
    assert row.amount_due == sp.amount
    assert row.amount_paid == sp.paid
    assert row.handler_name == docket.handler_names[docket.handlers[sp.handler or 0]]
    assert row.days_in_supervision == (TODAY - sp.received).days
    assert row.obligor_names == sp.obligor
    assert row.status is CaseStatus.REGISTERED


def test_names_beyond_the_bmp_sort_with_their_surname_and_are_found(
    db: Database, admin: Actor
) -> None:
    """𬌗 (U+2C317) is one character: the name sorts among the other 王 and a search for the
    character alone, or the whole name, finds it — on SQLite and on the server alike."""
    names = ["王某", "王\U0002c317明", "张三", "王某某"]
    with db.unit_of_work() as s:
        for n, name in enumerate(names, start=1):
            register_case(s, admin, make_case_input(n, obligor=name), today=TODAY)
    with db.reader() as s:
        rows = list_cases(s, DocketQuery(sort="obligor"), today=TODAY)
        order = [r.obligor_names for r in rows]
        wang = [i for i, name in enumerate(order) if name.startswith("王")]
        assert wang == list(range(wang[0], wang[0] + 3)), order
        for word in ("\U0002c317", "王\U0002c317明", "\U0002c317明"):
            found = list_cases(s, DocketQuery(text=word), today=TODAY)
            assert [r.obligor_names for r in found] == ["王\U0002c317明"], word
