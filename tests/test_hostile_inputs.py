"""Hostile input everywhere data enters: each input has its expected outcome.

Either a UserError with a non-empty Chinese message (exit 1 and one line on stderr for the
command line) and the database unchanged, or accepted and stored exactly as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, make_case_input
from hostile_files import _bytes, _zip
from sqlalchemy import inspect, text

from zhiqian_desktop.cli.main import main
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings, update_settings
from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput, get_case, register_case
from zhiqian_desktop.store.database import Database

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LONG = "王" * 10_000
SQL = "'; DROP TABLE supervision_case;--"
REFUSED = "refused"
STORED = "stored"


def counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}


def assert_refused(db: Database, action: Callable[[], Any]) -> str:
    before = counts(db)
    with pytest.raises(UserError) as info:
        action()
    message = info.value.message
    assert message.strip() and CHINESE.search(message), message
    assert counts(db) == before, "a refused input changed the database"
    return message


def obligor(name: str, **extra: Any) -> Callable[[CaseInput], CaseInput]:
    def change(data: CaseInput) -> CaseInput:
        data.parties[1] = replace(data.parties[1], name=name, **extra)
        return data

    return change


def field(**values: Any) -> Callable[[CaseInput], CaseInput]:
    def change(data: CaseInput) -> CaseInput:
        return replace(data, **values)

    return change


def company(number: str) -> Callable[[CaseInput], CaseInput]:
    def change(data: CaseInput) -> CaseInput:
        data.parties[1] = PartyInput(PartyRole.OBLIGOR, "某某公司", PartyKind.LEGAL_PERSON, number)
        return data

    return change


# (id, change to a valid case form, expected outcome)
CASE_FORMS: list[tuple[str, Callable[[CaseInput], CaseInput], str]] = [
    # Names: a court stores what the clerk typed, as long as it is printable.
    ("emoji-name", obligor("王某😀"), STORED),
    ("rare-char-name", obligor("王䶮"), STORED),
    ("beyond-bmp-name", obligor("𠀀某"), STORED),
    ("sql-name", obligor(SQL), STORED),
    ("quote-name", obligor("王\"某'"), STORED),
    ("html-name", obligor("<script>alert(1)</script>"), STORED),
    ("percent-name", obligor("王%某_"), STORED),
    ("minority-name", obligor("阿拉坦·其其格"), STORED),
    ("latin-name", obligor("John O'Neil"), STORED),
    ("empty-name", obligor(""), REFUSED),
    ("blank-name", obligor("   "), REFUSED),
    ("fullwidth-space-name", obligor("\u3000"), REFUSED),
    ("nul-name", obligor("王\x00某"), REFUSED),
    ("esc-name", obligor("王\x1b[31m某"), REFUSED),
    ("bell-name", obligor("王\x07某"), REFUSED),
    ("rtl-override-name", obligor("王\u202e某"), REFUSED),
    ("rtl-isolate-name", obligor("王\u2067某"), REFUSED),
    ("zero-width-name", obligor("王\u200b某"), REFUSED),
    ("bom-name", obligor("\ufeff王某"), REFUSED),
    ("surrogate-name", obligor("王\ud800某"), REFUSED),
    ("lone-low-surrogate-name", obligor("\udc80"), REFUSED),
    ("overlong-name", obligor(LONG), REFUSED),
    ("newline-name", obligor("王\n某"), REFUSED),
    ("del-name", obligor("王\x7f某"), REFUSED),
    # Identity numbers and credit codes: the checksum decides.
    ("valid-id", obligor("王某", id_number="11010519491231002X"), STORED),
    ("bad-id-checksum", obligor("王某", id_number="110105194912310021"), REFUSED),
    ("short-id", obligor("王某", id_number="1101051949"), REFUSED),
    ("id-impossible-birthday", obligor("王某", id_number="110105194902300023"), REFUSED),
    ("id-sql", obligor("王某", id_number=SQL), REFUSED),
    ("id-nul", obligor("王某", id_number="11010519491231002\x00"), REFUSED),
    ("id-emoji", obligor("王某", id_number="😀" * 18), REFUSED),
    ("id-overlong", obligor("王某", id_number="1" * 10_000), REFUSED),
    ("credit-ok", company("91350100M000100Y43"), STORED),
    ("credit-bad-checksum", company("91350100M000100Y44"), REFUSED),
    ("credit-short", company("91350100"), REFUSED),
    ("credit-letters-IOZSV", company("91350100I000100Y43"), REFUSED),
    ("credit-rtl", company("\u202e91350100M000100Y43"), REFUSED),
    # Phones.
    ("phone-ok-two", obligor("王某", phones="13912345678、0472-1234567"), STORED),
    ("phone-letters", obligor("王某", phones="1391234567a"), REFUSED),
    ("phone-short", obligor("王某", phones="139"), REFUSED),
    ("phone-overlong", obligor("王某", phones="1" * 10_000), REFUSED),
    ("phone-sql", obligor("王某", phones=SQL), REFUSED),
    ("phone-nul", obligor("王某", phones="139123\x0045678"), REFUSED),
    ("phone-emoji", obligor("王某", phones="📞13912345678"), REFUSED),
    # Amounts.
    ("amount-negative", field(amount_due=Decimal("-1.00")), REFUSED),
    ("amount-huge", field(amount_due=Decimal("1e20")), REFUSED),
    ("amount-nan", field(amount_due=Decimal("NaN")), REFUSED),
    ("amount-infinite", field(amount_due=Decimal("Infinity")), REFUSED),
    ("amount-fractional-fen", field(amount_due=Decimal("1.001")), REFUSED),
    ("amount-zero-no-act", field(amount_due=Decimal("0")), REFUSED),
    ("amount-max-ok", field(amount_due=Decimal("999999999.99")), STORED),
    ("capital-negative", obligor("王某", registered_capital=Decimal("-5")), REFUSED),
    # Dates.
    ("received-future", field(received_date=date(2099, 1, 1)), REFUSED),
    ("effective-after-received", field(effective_date=date(2026, 11, 21)), REFUSED),
    ("deadline-before-effective", field(performance_deadline=date(2026, 10, 1)), REFUSED),
    ("received-year-1", field(received_date=date(1, 1, 1), effective_date=None), REFUSED),
    # Free text: summary-like fields keep emoji and punctuation; control characters do not belong.
    ("cause-emoji", field(cause="民间借贷纠纷👍"), STORED),
    ("cause-sql", field(cause=SQL), STORED),
    ("cause-overlong", field(cause=LONG), REFUSED),
    ("cause-nul", field(cause="民间\x00借贷"), REFUSED),
    ("cause-rtl", field(cause="\u202e纠纷借贷间民"), REFUSED),
    ("cause-empty", field(cause=" "), REFUSED),
    ("case-no-empty", field(original_case_no=""), REFUSED),
    ("case-no-overlong", field(original_case_no="（2026）" + "1" * 10_000 + "号"), REFUSED),
    ("case-no-nul", field(original_case_no="（2026）内0221民初1\x00号"), REFUSED),
    ("case-no-sql", field(original_case_no=SQL), STORED),
    ("notes-emoji-newline", field(notes="已电话联系😀\n下周再访"), STORED),
    ("notes-overlong", field(notes="备" * 10_000), STORED),
    ("notes-nul", field(notes="备\x00注"), REFUSED),
    ("notes-surrogate", field(notes="\ud83d"), REFUSED),
    ("address-rtl", obligor("王某", address="\u202e路放解"), REFUSED),
    ("address-emoji", obligor("王某", address="某某村🏠3号"), STORED),
    ("act-only-ok", field(amount_due=Decimal("0"), obligation_act="赔礼道歉"), STORED),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(c, e, id=i) for i, c, e in CASE_FORMS],
)
def test_case_form(
    db: Database, admin: Actor, change: Callable[[CaseInput], CaseInput], expected: str
) -> None:
    data = change(make_case_input())

    def register() -> str:
        with db.unit_of_work() as session:
            return register_case(session, admin, data, today=TODAY).id

    if expected == REFUSED:
        assert_refused(db, register)
        return
    case_id = register()
    with db.reader() as session:
        row = get_case(session, case_id)
        parties = sorted((p for p in row.parties), key=lambda p: p.position)
    assert row.cause == data.cause.strip()
    assert row.original_case_no == data.original_case_no.strip()
    assert row.notes == data.notes
    assert row.amount_due == data.amount_due
    assert parties[1].name == data.parties[1].name.strip()
    assert parties[1].address == data.parties[1].address
    assert (parties[1].id_number or None) == (data.parties[1].id_number or None)
    assert parties[1].phones == (data.parties[1].phones or None)


# --- settings -------------------------------------------------------------------------------------

SETTINGS: list[tuple[str, dict[str, Any], str]] = [
    ("urging-zero", {"urging_days": 0}, REFUSED),
    ("urging-negative", {"urging_days": -5}, REFUSED),
    ("urging-huge", {"urging_days": 10**12}, REFUSED),
    ("urging-text", {"urging_days": "7"}, REFUSED),
    ("urging-float", {"urging_days": 7.5}, REFUSED),
    ("urging-none", {"urging_days": None}, REFUSED),
    ("urging-bool", {"urging_days": True}, REFUSED),
    ("limit-huge", {"supervision_limit_days": 3651}, REFUSED),
    ("backup-hours-zero", {"backup_interval_hours": 0}, REFUSED),
    ("idle-negative", {"idle_lock_minutes": -1}, REFUSED),
    ("court-code-bad", {"court_code": "X0221"}, REFUSED),
    ("court-code-sql", {"court_code": SQL}, REFUSED),
    ("case-word-bad", {"case_word": "执"}, REFUSED),
    ("unknown-key", {"drop_everything": 1}, REFUSED),
    ("court-name-int", {"court_name": 5}, REFUSED),
    ("court-name-empty", {"court_name": ""}, REFUSED),
    ("court-name-nul", {"court_name": "土默特\x00法院"}, REFUSED),
    ("court-phone-bytes", {"court_phone": b"0472"}, REFUSED),
    ("urging-ok", {"urging_days": 3650}, STORED),
    ("court-address-emoji", {"court_address": "萨拉齐镇🏛1号"}, STORED),
]


@pytest.mark.parametrize(("values", "expected"), [pytest.param(v, e, id=i) for i, v, e in SETTINGS])
def test_settings(db: Database, admin: Actor, values: dict[str, Any], expected: str) -> None:
    with db.reader() as session:
        version = get_settings(session).version

    def save() -> None:
        with db.unit_of_work() as session:
            update_settings(session, admin, version, **values)

    if expected == REFUSED:
        assert_refused(db, save)
        return
    save()
    with db.reader() as session:
        settings = get_settings(session)
        for key, value in values.items():
            assert getattr(settings, key) == value


# --- command line ---------------------------------------------------------------------------------

CLI: list[tuple[str, list[str]]] = [
    ("show-unknown-case", ["show", "（2026）内0221执前督99999号"]),
    ("show-sql-case", ["show", SQL]),
    ("show-rtl-case", ["show", "\u202e号1督前执1220内）6202（"]),
    ("show-overlong-case", ["show", "1" * 10_000]),
    ("deadline-feb-30", ["deadline", "2026-02-30", "--days", "15"]),
    ("deadline-month-13", ["deadline", "2026-13-01", "--days", "15"]),
    ("deadline-year-0", ["deadline", "0000-01-01", "--days", "15"]),
    ("deadline-words", ["deadline", "昨天", "--days", "15"]),
    ("deadline-negative-days", ["deadline", "2026-01-01", "--days", "-3"]),
    ("deadline-huge-days", ["deadline", "2026-01-01", "--days", "99999999"]),
    ("deadline-nul", ["deadline", "2026-01-0\x001", "--days", "3"]),
    ("init-bad-court-code", ["init", "--court-name", "某法院", "--court-code", "X0221"]),
    ("init-sql-court-code", ["init", "--court-name", "某法院", "--court-code", SQL]),
    ("cases-bad-status", ["cases", "--status", "不存在的状态"]),
    ("cases-unknown-handler", ["cases", "--handler", "nobody"]),
    ("notice-bad-kind", ["notice", "（2026）内0221执前督1号", "--kind", "nonsense"]),
    ("notice-unknown-case", ["notice", "（2026）内0221执前督99999号", "--kind", "urging"]),
    ("restore-junk", ["restore", "__JUNK__"]),
]


@pytest.mark.parametrize("argv", [pytest.param(a, id=i) for i, a in CLI])
def test_command_line(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    argv = [str(junk) if a == "__JUNK__" else a for a in argv]
    path = db.path
    assert path is not None
    before = counts(db)
    capsys.readouterr()
    code = main([*argv, "--db", str(path)])
    out, err = capsys.readouterr()
    assert code == 1, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and CHINESE.search(lines[0]), err
    assert "Traceback" not in err
    assert counts(db) == before


# --- files from outside -----------------------------------------------------------------------------


FILES: dict[str, Callable[[Path], Path]] = {
    "text-as-xlsx": lambda d: _bytes(d / "a.xlsx", b"hello"),
    "empty-xlsx": lambda d: _bytes(d / "b.xlsx", b""),
    "zip-without-workbook": lambda d: _zip(d / "c.xlsx", {"x.txt": b"x"}),
    "zip-slip-member": lambda d: _zip(d / "d.xlsx", {"../../evil.xml": b"<a/>"}),
    "xml-bomb": lambda d: _zip(
        d / "e.xlsx",
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;">]><Types>&b;</Types>',
            "xl/workbook.xml": b"<workbook/>",
        },
    ),
}


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in FILES.items()])
def test_import_of_a_bad_workbook(
    db: Database, admin: Actor, tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    from zhiqian_desktop.services.intake.importing import import_cases

    path = make(tmp_path)
    assert_refused(db, lambda: import_cases(db, admin, path, today=TODAY, backup=False))


PACKAGES: dict[str, Callable[[Path], Path]] = {
    "missing": lambda d: d / "nope.zip",
    "text-as-zip": lambda d: _bytes(d / "p.zip", b"junk"),
    "empty-zip": lambda d: _zip(d / "q.zip", {}),
    "no-manifest": lambda d: _zip(d / "r.zip", {"a.pdf": b"%PDF"}),
    "slip-member": lambda d: _zip(d / "s.zip", {"../x": b"x", "manifest.json": b"{}"}),
    "junk-manifest": lambda d: _zip(d / "t.zip", {"manifest.json": b"\xff\xfe\x00junk"}),
}


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in PACKAGES.items()])
def test_verifying_a_junk_package(
    db: Database, tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    from zhiqian_desktop.services.closing.transfer_verify import verify_package

    path = make(tmp_path)
    before = counts(db)
    try:
        report = verify_package(path)
    except UserError as exc:
        assert exc.message.strip() and CHINESE.search(exc.message), exc.message
    else:
        assert not report.ok
    assert counts(db) == before


TEMPLATES: dict[str, str] = {
    "empty": "",
    "broken-toml": 'title = "督促履行通知书\nbody = [',
    "binary": "\x00\x01\x02",
}


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_a_broken_court_template(name: str) -> None:
    from zhiqian_desktop.printing import templates
    from zhiqian_desktop.printing.documents import DocumentKind

    kind = next(iter(DocumentKind))
    shipped = templates.default_template_path(kind).read_text(encoding="utf-8")
    assert shipped  # the court's text below replaces this
    raw = TEMPLATES[name]
    with pytest.raises(UserError) as info:
        templates.load_template(kind, raw)
    assert CHINESE.search(info.value.message)
