"""The hostile files of the command-line corpus (tests/test_hostile_commands.py): a court database
with a kit, a change package and a transfer package of its own, and, made from those, the damaged,
forged, oversized and otherwise hostile versions of every kind of file the app reads."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from tests.conftest import SETUP, TODAY, make_case_input
from tests.services.test_sync import open_laptop, setup_court, tribunal_kit
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.closing.outcomes import close_case, mark_failed
from zhiqian_desktop.services.closing.transfer_package import build_transfer_package
from zhiqian_desktop.services.core import settings
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.exchange.changes import export_changes
from zhiqian_desktop.services.exchange.court_key import court_key, sign_manifest
from zhiqian_desktop.services.exchange.records import CHANGES, KIT_DB, MANIFEST, SIGNATURE
from zhiqian_desktop.services.intake.docket import get_case, register_case
from zhiqian_desktop.services.intake.import_template import template_rows, write_import_template
from zhiqian_desktop.store.engine import sqlite_url

DEEP = 100_000
"""Nesting of the JSON bombs: far past any recursion limit."""


def dump_hash(path: Path) -> str:
    """The SQL dump of a database file, hashed, read-only: equal before and after a command that
    must not have written anything."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode("utf-8")).hexdigest()
    finally:
        conn.close()


@dataclass
class Court:
    """The database the corpus runs against and the good files its hostile ones are made from."""

    db: Path
    work: Path
    inputs: Path
    kit: Path
    changes: Path
    transfer: Path
    key: bytes
    open_case: str
    failed_case: str
    closed_case: str
    files: dict[str, Path] = field(default_factory=dict)


def make_court(root: Path) -> Court:
    """Set up once per run: the court, its tribunal's kit opened on a laptop, one change made
    there and exported, a failed case transferred, a closed case."""
    (root / "db").mkdir()
    path = root / "db" / "court.db"
    db = maintenance.open_app_database(sqlite_url(path))
    with db.unit_of_work() as s:
        settings.initialize(s, SETUP)
    with db.reader() as s:
        admin = default_actor(s)
    court = setup_court(db, admin)
    with db.unit_of_work() as s:
        failed = register_case(s, admin, make_case_input(20, obligor="钱某"), today=TODAY).id
        closed = register_case(s, admin, make_case_input(21, obligor="孙某"), today=TODAY).id
        gone = register_case(s, admin, make_case_input(22, obligor="周某"), today=TODAY).id
    with db.unit_of_work() as s:
        mark_failed(s, admin, failed, failed_on=TODAY, reason="经多次督促仍未履行", today=TODAY)
        mark_failed(s, admin, gone, failed_on=TODAY, reason="经多次督促仍未履行", today=TODAY)
        close_case(
            s,
            admin,
            closed,
            CaseStatus.WITHDRAWN,
            closed_on=TODAY,
            reason="申请人撤回",
            today=TODAY,
        )
    inputs = root / "inputs"
    inputs.mkdir()
    kit = tribunal_kit(court, inputs / "kit.zip")
    laptop = open_laptop(kit, root / "laptop")
    with laptop.db.unit_of_work() as s:
        case = get_case(s, court.cases[0])
        case.notes = "法庭补充的备注"
    changes = export_changes(laptop.db, inputs / "changes.zip", actor=laptop.clerk)
    laptop.db.dispose()
    transfer = build_transfer_package(
        db, admin, gone, "经多次督促仍未履行", inputs / "transfer.zip", as_zip=True, today=TODAY
    )
    key = court_key(db)
    assert key is not None
    with db.reader() as s:
        numbers = {i: get_case(s, i).case_no for i in (court.own_case, failed, closed)}
    db.dispose()
    work = root / "work"
    work.mkdir()
    made = Court(
        path,
        work,
        inputs,
        kit,
        changes,
        transfer,
        key,
        numbers[court.own_case],
        numbers[failed],
        numbers[closed],
    )
    for name, build in BUILDERS.items():
        made.files[name] = build(made, inputs / name)
    return made


# --- helpers ------------------------------------------------------------------------------------


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _rezip(source: Path, path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    members = _members(source)
    change(members)
    return _zip(path, members)


def _signed(court: Court, members: dict[str, bytes], manifest: bytes) -> None:
    """A manifest the court key signs: what only someone holding the key could make."""
    members[MANIFEST] = manifest
    members[SIGNATURE] = (sign_manifest(court.key, manifest) + "\n").encode("ascii")


def _resign_manifest(
    court: Court, change: Callable[[dict[str, object]], None]
) -> Callable[[dict[str, bytes]], None]:
    def edit(members: dict[str, bytes]) -> None:
        manifest = json.loads(members[MANIFEST])
        change(manifest)
        _signed(court, members, json.dumps(manifest).encode("utf-8"))

    return edit


def _with_changes(court: Court, raw: bytes) -> Callable[[dict[str, bytes]], None]:
    """A change package whose changes.json is ``raw``, correctly listed and signed."""

    def edit(members: dict[str, bytes]) -> None:
        import hashlib

        members[CHANGES] = raw
        manifest = json.loads(members[MANIFEST])
        for entry in manifest["files"]:
            if entry["path"] == CHANGES:
                entry["sha256"] = hashlib.sha256(raw).hexdigest()
                entry["size"] = len(raw)
        _signed(court, members, json.dumps(manifest).encode("utf-8"))

    return edit


def _deep(kind: str = "[") -> bytes:
    close = "]" if kind == "[" else "}"
    unit = "[" if kind == "[" else '{"a":'
    return (unit * DEEP + "1" + close * DEEP).encode()


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    return write_import_template(path, rows)


def _case_rows(**changes: object) -> list[list[object]]:
    data = make_case_input(90)
    for key, value in changes.items():
        setattr(data, key, value)
    return [list(r) for r in template_rows(data)]


def _sqlite(path: Path, sql: str) -> Path:
    conn = sqlite3.connect(path)
    try:
        conn.executescript(sql)
        conn.commit()
    finally:
        conn.close()
    return path


def _damaged_copy(court: Court, path: Path) -> Path:
    good = path.with_name(path.name + ".good")
    conn = sqlite3.connect(f"file:{court.db}?mode=ro", uri=True)
    try:
        out = sqlite3.connect(good)
        conn.backup(out)
        out.execute("PRAGMA journal_mode = DELETE")
        out.close()
    finally:
        conn.close()
    data = bytearray(good.read_bytes())
    good.unlink()
    page = 4096
    for n in range(2, min(len(data) // page, 12)):
        data[n * page + 8 : n * page + 600] = b"\xa5" * 592
    return _bytes(path, bytes(data))


def _plain_workbook(path: Path, cells: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in cells:
        ws.append(row)
    wb.save(path)
    return path


# --- the hostile files, by name -------------------------------------------------------------------

BUILDERS: dict[str, Callable[[Court, Path], Path]] = {
    # Excel hand-over lists (import-cases)
    "text.xlsx": lambda c, p: _bytes(p, "移交清单".encode() * 10),
    "empty.xlsx": lambda c, p: _bytes(p, b""),
    "nul.xlsx": lambda c, p: _bytes(p, b"\x00" * 4096),
    "no-workbook.xlsx": lambda c, p: _zip(p, {"x.txt": b"x"}),
    "slip.xlsx": lambda c, p: _zip(p, {"../../evil.xml": b"<a/>", "[Content_Types].xml": b"<a/>"}),
    "absolute.xlsx": lambda c, p: _zip(p, {"/etc/evil.xml": b"<a/>"}),
    "xml-bomb.xlsx": lambda c, p: _zip(
        p,
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;">]><Types>&b;</Types>',
            "xl/workbook.xml": b"<workbook/>",
        },
    ),
    "ole-encrypted.xlsx": lambda c, p: _bytes(p, bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 4088),
    "truncated.xlsx": lambda c, p: _bytes(
        p, _workbook(p.with_name("whole.xlsx"), _case_rows()).read_bytes()[:1500]
    ),
    "foreign-headers.xlsx": lambda c, p: _plain_workbook(p, [["姓名", "金额"], ["张三", 100]]),
    "headers-only.xlsx": lambda c, p: _workbook(p, []),
    "not-a-case-no.xlsx": lambda c, p: _workbook(
        p, _case_rows(original_case_no="not a case number")
    ),
    "sql-case-no.xlsx": lambda c, p: _workbook(
        p, _case_rows(original_case_no="'; DROP TABLE supervision_case;--")
    ),
    "future-received.xlsx": lambda c, p: _workbook(p, _case_rows(received_date=date(2099, 1, 1))),
    "negative-amount.xlsx": lambda c, p: _workbook(p, _case_rows(amount_due=-5)),
    "formula-name.xlsx": lambda c, p: _workbook(p, _case_rows(cause="=CMD|' /C calc'!A0")),
    "csv.xlsx": lambda c, p: _bytes(p, "原审案号,案由\n（2026）内0221民初1号,借款\n".encode()),
    "pdf.xlsx": lambda c, p: _bytes(p, b"%PDF-1.4\n%%EOF\n"),
    # Offline kits (open-kit)
    "kit-text.zip": lambda c, p: _bytes(p, b"not a kit"),
    "kit-empty.zip": lambda c, p: _zip(p, {}),
    "kit-no-manifest.zip": lambda c, p: _rezip(c.kit, p, lambda m: m.pop(MANIFEST)),
    "kit-deep-manifest.zip": lambda c, p: _rezip(c.kit, p, lambda m: m.update({MANIFEST: _deep()})),
    "kit-deep-object.zip": lambda c, p: _rezip(
        c.kit, p, lambda m: m.update({MANIFEST: _deep("{")})
    ),
    "kit-junk-manifest.zip": lambda c, p: _rezip(
        c.kit, p, lambda m: m.update({MANIFEST: b"\xff\xfe\x00junk"})
    ),
    "kit-forged-signature.zip": lambda c, p: _rezip(
        c.kit, p, lambda m: m.update({SIGNATURE: b"0" * 64 + b"\n"})
    ),
    "kit-extra-member.zip": lambda c, p: _rezip(c.kit, p, lambda m: m.update({"evil.exe": b"MZ"})),
    "kit-slip-member.zip": lambda c, p: _rezip(c.kit, p, lambda m: m.update({"../evil": b"x"})),
    "kit-altered-db.zip": lambda c, p: _rezip(
        c.kit, p, lambda m: m.update({KIT_DB: m[KIT_DB][:-10] + b"0123456789"})
    ),
    "kit-changes-schema.zip": lambda c, p: _rezip(c.changes, p, lambda m: None),
    # Change packages (import-changes)
    "changes-text.zip": lambda c, p: _bytes(p, b"not a package"),
    "changes-empty.zip": lambda c, p: _zip(p, {}),
    "changes-no-manifest.zip": lambda c, p: _rezip(c.changes, p, lambda m: m.pop(MANIFEST)),
    "changes-deep-manifest.zip": lambda c, p: _rezip(
        c.changes, p, lambda m: m.update({MANIFEST: _deep()})
    ),
    "changes-deep-object.zip": lambda c, p: _rezip(
        c.changes, p, lambda m: m.update({MANIFEST: _deep("{")})
    ),
    "changes-signed-deep-changes.zip": lambda c, p: _rezip(
        c.changes, p, lambda m: _with_changes(c, _deep())(m)
    ),
    "changes-signed-junk-changes.zip": lambda c, p: _rezip(
        c.changes, p, lambda m: _with_changes(c, b'{"records": [{"entity": "user"}]}')(m)
    ),
    "changes-forged-signature.zip": lambda c, p: _rezip(
        c.changes, p, lambda m: m.update({SIGNATURE: b"f" * 64 + b"\n"})
    ),
    "changes-altered.zip": lambda c, p: _rezip(
        c.changes, p, lambda m: m.update({CHANGES: m[CHANGES].replace(b"1", b"2", 1)})
    ),
    "changes-other-court.zip": lambda c, p: _rezip(
        c.changes, p, _resign_manifest(c, lambda m: m.update({"court_id": "another-court"}))
    ),
    "changes-unknown-kit.zip": lambda c, p: _rezip(
        c.changes, p, _resign_manifest(c, lambda m: m.update({"kit_id": "no-such-kit"}))
    ),
    "changes-wrong-schema.zip": lambda c, p: _rezip(
        c.changes, p, _resign_manifest(c, lambda m: m.update({"schema": "zhiqian.kit/1"}))
    ),
    "changes-extra-member.zip": lambda c, p: _rezip(
        c.changes, p, lambda m: m.update({"files/00/" + "0" * 64: b"x"})
    ),
    "changes-a-kit.zip": lambda c, p: _bytes(p, c.kit.read_bytes()),
    # Transfer packages (verify-package)
    "transfer-text.zip": lambda c, p: _bytes(p, b"junk"),
    "transfer-empty.zip": lambda c, p: _zip(p, {}),
    "transfer-no-manifest.zip": lambda c, p: _zip(p, {"a.pdf": b"%PDF"}),
    "transfer-slip.zip": lambda c, p: _zip(p, {"../x": b"x", "manifest.json": b"{}"}),
    "transfer-deep-manifest.zip": lambda c, p: _rezip(
        c.transfer, p, lambda m: m.update({"manifest.json": _deep()})
    ),
    "transfer-deep-object.zip": lambda c, p: _rezip(
        c.transfer, p, lambda m: m.update({"manifest.json": _deep("{")})
    ),
    "transfer-junk-manifest.zip": lambda c, p: _zip(p, {"manifest.json": b"\xff\xfe\x00junk"}),
    "transfer-wrong-schema.zip": lambda c, p: _zip(p, {"manifest.json": b'{"schema": "x"}'}),
    "transfer-altered.zip": lambda c, p: _rezip(
        c.transfer, p, lambda m: m.update({"01-移送执行函.pdf": b"%PDF-1.4 forged"})
    ),
    "transfer-extra.zip": lambda c, p: _rezip(c.transfer, p, lambda m: m.update({"x.txt": b"x"})),
    "transfer-missing.zip": lambda c, p: _rezip(
        c.transfer, p, lambda m: m.pop("01-移送执行函.pdf")
    ),
    # Backups (restore)
    "backup-text.db": lambda c, p: _bytes(p, b"not a database at all" * 100),
    "backup-empty.db": lambda c, p: _bytes(p, b""),
    "backup-header-only.db": lambda c, p: _bytes(p, b"SQLite format 3\x00" + b"\x00" * 84),
    "backup-foreign.db": lambda c, p: _sqlite(p, "CREATE TABLE music (title TEXT);"),
    "backup-damaged.db": _damaged_copy,
    "backup-random.db": lambda c, p: _bytes(p, bytes((i * 7919 + 13) % 251 for i in range(8192))),
    "backup-zip.db": lambda c, p: _bytes(p, c.kit.read_bytes()),
    # Conflict choices (import-changes --resolutions)
    "resolutions-deep.json": lambda c, p: _bytes(p, _deep()),
    "resolutions-junk.json": lambda c, p: _bytes(p, b"\xff\xfe junk"),
    "resolutions-list.json": lambda c, p: _bytes(p, b"[1, 2, 3]"),
    "resolutions-bad-side.json": lambda c, p: _bytes(p, b'{"x": {"notes": "laptop"}}'),
    # Existing outputs, which a command must not replace without --force
    "existing.pdf": lambda c, p: _bytes(p, b"%PDF-1.4 the clerk's own file"),
    "existing.xlsx": lambda c, p: _bytes(p, b"the clerk's own workbook"),
    "existing.zip": lambda c, p: _bytes(p, b"the clerk's own archive"),
    "existing.db": lambda c, p: _bytes(p, b"the clerk's own file"),
    "fifo": lambda c, p: (os.mkfifo(p), p)[1],
    "fifo.pdf": lambda c, p: (os.mkfifo(p), p)[1],
    "fifo.zip": lambda c, p: (os.mkfifo(p), p)[1],
    "fifo.xlsx": lambda c, p: (os.mkfifo(p), p)[1],
    "a-folder": lambda c, p: (p.mkdir(), p)[1],
    "a-folder.pdf": lambda c, p: (p.mkdir(), p)[1],
    "a-folder.zip": lambda c, p: (p.mkdir(), p)[1],
    "a-folder.xlsx": lambda c, p: (p.mkdir(), p)[1],
    "full-folder": lambda c, p: (p.mkdir(), (p / "notes.txt").write_text("x"), p)[2],
    "link-to-db.pdf": lambda c, p: (p.symlink_to(c.db), p)[1],
    "link-to-db.zip": lambda c, p: (p.symlink_to(c.db), p)[1],
    "link-to-db.xlsx": lambda c, p: (p.symlink_to(c.db), p)[1],
    "link-to-db.db": lambda c, p: (p.symlink_to(c.db), p)[1],
    "hardlink-to-db.db": lambda c, p: (p.hardlink_to(c.db), p)[1],
}


def copy_court(court: Court, folder: Path) -> Path:
    """A fresh copy of the court database and its folder (for a command that would change it)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / court.db.name
    shutil.copy2(court.db, target)
    shutil.copytree(court.db.parent / f"{court.db.stem}-files", folder / f"{court.db.stem}-files")
    return target
