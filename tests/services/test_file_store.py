"""Attachments and issued PDFs on a court server: stored in the database, seen from every desk."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import ContactKind, DocumentKind
from zhiqian_desktop.services.admin import server_copy as transfer_db
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.closing import batch_print
from zhiqian_desktop.services.closing.transfer_package import build_transfer_package
from zhiqian_desktop.services.core import signing
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.exchange import changes, merge
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import attachments, contacts, notices
from zhiqian_desktop.store import files as files_module
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.files import DatabaseStore, FolderStore
from zhiqian_desktop.store.locations import DATA_DIR_ENV
from zhiqian_desktop.store.models import Attachment, CourtSecret, StoredFile

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
PHOTO = b"\xff\xd8\xff\xe0" + hashlib.sha256(b"door of the obligor").digest() * 2000
SCAN = b"%PDF-1.4\n" + bytes(range(256)) * 300


def sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def in_folder(db: Database, payload: bytes) -> Path:
    """Where a plain SQLite file's folder store keeps ``payload``."""
    assert db.path is not None
    return db.path.parent / f"{db.path.stem}-files" / sha(payload)[:2] / sha(payload)


def stored_rows(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(StoredFile)) or 0)


def new_case(db: Database, admin: Actor, n: int = 1) -> str:
    with db.unit_of_work() as s:
        return register_case(s, admin, make_case_input(n), today=TODAY).id


def visit(db: Database, actor: Actor, case_id: str, *files: Path) -> str:
    """A visit logged with its photos, in one transaction."""
    with db.unit_of_work() as s:
        return contacts.log_contact(
            s,
            actor,
            case_id,
            contacts.ContactInput(
                ContactKind.VISIT, datetime(2026, 11, 24, 2, tzinfo=UTC), False, "上门未见"
            ),
            now=NOW,
            attachments=files,
        ).id


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "现场照片.jpg"
    path.write_bytes(PHOTO)
    return path


# --- the store of the database at hand (both backends) ------------------------------------------


def test_identical_content_is_stored_once_and_read_back_byte_for_byte(
    db: Database, photo: Path, tmp_path: Path
) -> None:
    store = db.files
    assert isinstance(store, FolderStore if db.is_sqlite else DatabaseStore)
    with db.unit_of_work() as s:
        first = store.put_bytes(s, PHOTO)
        again = store.put_bytes(s, PHOTO)
        from_file, size = store.put_file(s, photo, max_bytes=1 << 20, too_big="过大")
    assert first == again == from_file == sha(PHOTO)
    assert size == len(PHOTO)
    with db.reader() as s:
        assert store.read(s, first) == PHOTO
        assert store.size_of(s, first) == len(PHOTO)
        assert store.read(s, "0" * 64) is None
        assert store.copy_to(s, first, tmp_path / "out" / "copy.jpg")
    assert (tmp_path / "out" / "copy.jpg").read_bytes() == PHOTO
    if db.is_sqlite:
        folder = db.path.parent / "docket-files"  # type: ignore[union-attr]
        assert [p.name for p in folder.glob("??/*")] == [first]
        assert stored_rows(db) == 0
    else:
        assert stored_rows(db) == 1


def test_a_large_file_is_copied_out_of_the_database_in_pieces(
    db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(files_module, "CHUNK", 1000)  # the photo spans many pieces
    inside = DatabaseStore()
    with db.unit_of_work() as s:
        key = inside.put_bytes(s, PHOTO)
    with db.reader() as s:
        pieces = inside.chunks(s, key)
        assert pieces is not None
        assert [len(p) for p in pieces][-2:] == [1000, len(PHOTO) % 1000]
        assert inside.copy_to(s, key, tmp_path / "photo.jpg")
        assert not inside.copy_to(s, "f" * 64, tmp_path / "missing.jpg")
    assert (tmp_path / "photo.jpg").read_bytes() == PHOTO
    assert not (tmp_path / "missing.jpg").exists()


def test_the_signing_key_is_written_where_hard_links_fail(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FAT or exFAT USB stick has no hard links: the key is put in place by a rename."""

    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    assert sqlite_db.path is not None
    path = signing.key_path(sqlite_db.path)
    key = signing.court_signing_key(sqlite_db)
    stored = signing.read_key_file(path)
    assert stored is not None and signing.private_pem(stored) == signing.private_pem(key)
    assert signing.private_pem(signing.court_signing_key(sqlite_db)) == signing.private_pem(key)
    assert not [p.name for p in path.parent.iterdir() if p.name.startswith("signing.key.")]


def test_a_file_above_the_limit_is_refused_with_the_clerks_message(
    db: Database, photo: Path
) -> None:
    with pytest.raises(UserError, match="请压缩"), db.unit_of_work() as s:
        db.files.put_file(s, photo, max_bytes=10, too_big="附件超过上限；请压缩后再添加")


def test_a_rolled_back_attach_leaves_no_stored_file(
    db: Database, admin: Actor, photo: Path
) -> None:
    case_id = new_case(db, admin)
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        contacts.log_contact(
            s,
            admin,
            case_id,
            contacts.ContactInput(
                ContactKind.VISIT, datetime(2026, 11, 24, 2, tzinfo=UTC), False, "上门未见"
            ),
            now=NOW,
            attachments=[photo],
        )
        if not db.is_sqlite:
            assert s.scalar(select(func.count()).select_from(StoredFile)) == 1
        raise RuntimeError("the clerk's PC lost power before the commit")
    assert stored_rows(db) == 0
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0


def test_the_database_store_is_transactional_on_an_sqlite_file_too(
    sqlite_db: Database, admin: Actor, photo: Path
) -> None:
    """What an encrypted file gets: the attachment and its content commit or vanish together."""
    case_id = new_case(sqlite_db, admin)
    inside = DatabaseStore()
    with pytest.raises(RuntimeError), sqlite_db.unit_of_work() as s:
        contacts.add_attachment(s, admin, visit(sqlite_db, admin, case_id), photo, store=inside)
        raise RuntimeError("cancelled")
    assert stored_rows(sqlite_db) == 0
    with sqlite_db.unit_of_work() as s:
        log_id = contacts.log_contact(
            s,
            admin,
            case_id,
            contacts.ContactInput(
                ContactKind.VISIT, datetime(2026, 11, 24, 3, tzinfo=UTC), False, "再次上门"
            ),
            now=NOW,
            attachments=[photo, photo],
            store=inside,
        ).id
    assert stored_rows(sqlite_db) == 1
    with sqlite_db.reader() as s:
        [entry] = [e for e in contacts.list_contacts(s, case_id) if e.id == log_id]
        assert [a.sha256 for a in entry.attachments] == [sha(PHOTO)] * 2
        assert inside.read(s, sha(PHOTO)) == PHOTO


def test_a_copy_for_the_viewer_is_private_and_checked(
    db: Database, admin: Actor, photo: Path
) -> None:
    case_id = new_case(db, admin)
    log_id = visit(db, admin, case_id, photo)
    with db.reader() as s:
        [att] = attachments.attachments_of(s, contacts.OWNER_KIND, log_id)
        copy = attachments.viewable_copy(s, att.id)
    assert copy.read_bytes() == PHOTO
    assert copy.name.endswith("现场照片.jpg")
    if os.name == "posix":  # Windows: the profile's ACLs keep other accounts out
        assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert copy.parent.parent == Path(tempfile.gettempdir())


# --- two desks on one court server ----------------------------------------------------------------


@pytest.fixture
def server(pg_server: Any) -> Iterator[str]:
    url = pg_server.create(initialised=True)
    yield url
    pg_server.drop(url)


def at_desk(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """The next steps run on a desk PC whose own data folder is ``home``."""
    home.mkdir(exist_ok=True)
    monkeypatch.setenv(DATA_DIR_ENV, str(home))


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_photo_and_a_notice_from_one_desk_are_read_at_another(
    server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, photo: Path
) -> None:
    desk_one, desk_two = tmp_path / "desk-1", tmp_path / "desk-2"
    at_desk(monkeypatch, desk_one)
    one = open_app_database(server)
    try:
        with one.reader() as s:
            admin = default_actor(s)
        case_id = new_case(one, admin)
        log_id = visit(one, admin, case_id, photo)
        with one.unit_of_work() as s:
            issued = notices.issue_notice(s, admin, case_id, DocumentKind.URGING, today=TODAY)
        assert issued.pdf_path is None
    finally:
        one.dispose()

    at_desk(monkeypatch, desk_two)
    two = open_app_database(server)
    try:
        with two.reader() as s:
            assert notices.stored_pdf(s, issued.id) == issued.pdf
            printout = batch_print.document_printout(s, issued.id)
            assert printout.read_bytes() == issued.pdf
            if os.name == "posix":
                assert stat.S_IMODE(printout.parent.stat().st_mode) == 0o700
            assert not printout.is_relative_to(desk_two)
            [att] = attachments.attachments_of(s, contacts.OWNER_KIND, log_id)
            assert attachments.viewable_copy(s, att.id).read_bytes() == PHOTO
        package = build_transfer_package(
            two,
            admin,
            case_id,
            "多次督促未履行",
            tmp_path / "移送.zip",
            as_zip=True,
            today=TODAY,
        )
        with zipfile.ZipFile(package) as zf:
            packed = {zf.read(n) for n in zf.namelist() if "附件" in n}
        assert PHOTO in packed
    finally:
        two.dispose()
    # Nothing of the case's files lies in either desk's own folder.
    for home in (desk_one, desk_two):
        assert not [p for p in files_under(home) if sha(PHOTO) in p.name]
        assert not (home / "zhiqian-files").exists()


def test_a_change_package_brings_its_files_into_the_server(
    sqlite_db: Database,
    admin: Actor,
    pg_server: Any,
    tmp_path: Path,
    photo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A kit made from the court's file before it moved to the server; the tribunal's photo
    comes back into the server's file table with the merge."""
    from tests.services.test_sync import open_laptop, setup_court, tribunal_kit

    court = setup_court(sqlite_db, admin)
    kit = tribunal_kit(court, tmp_path / "kit.zip")
    laptop = open_laptop(kit, tmp_path / "laptop")
    try:
        visit(laptop.db, laptop.clerk, court.cases[0], photo)
        package = changes.export_changes(laptop.db, tmp_path / "changes.zip", actor=laptop.clerk)
    finally:
        laptop.db.dispose()
    server = pg_server.create(initialised=False)
    try:
        report = transfer_db.copy_database(court.db.url, server)
        assert any("法院签名密钥" in note for note in report.notes)
        at_desk(monkeypatch, tmp_path / "desk")
        db = open_app_database(server)
        try:
            merged = merge.import_changes(db, court.admin, package)
            assert merged.files == 1
            with db.reader() as s:
                assert db.files.read(s, sha(PHOTO)) == PHOTO
                key = s.get(CourtSecret, signing.SECRET_NAME)
                court_key = signing.signing_key(court.db)
                assert key is not None and court_key is not None
                assert key.value == signing.seed_hex(court_key)
            assert stored_rows(db) == 1
        finally:
            db.dispose()
        assert not files_under(tmp_path / "desk")
    finally:
        pg_server.drop(server)


def test_a_kit_from_the_server_carries_its_files_and_its_changes_bring_theirs_back(
    pg_db: Database,
    admin: Actor,
    tmp_path: Path,
    photo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.services.test_sync import open_laptop, setup_court, tribunal_kit

    court = setup_court(pg_db, admin)
    visit(pg_db, admin, court.cases[0], photo)  # taken at a desk before the kit is made
    kit = tribunal_kit(court, tmp_path / "kit.zip")
    with zipfile.ZipFile(kit) as zf:
        assert zf.read(f"files/{sha(PHOTO)[:2]}/{sha(PHOTO)}") == PHOTO
    laptop = open_laptop(kit, tmp_path / "laptop")
    receipt = tmp_path / "送达回证.pdf"
    receipt.write_bytes(SCAN)
    try:
        with laptop.db.reader() as s:  # the court's photo, in the laptop's own folder
            assert isinstance(laptop.db.files, FolderStore)
            assert laptop.db.files.read(s, sha(PHOTO)) == PHOTO
            assert s.scalar(select(func.count()).select_from(CourtSecret)) == 0
        visit(laptop.db, laptop.clerk, court.cases[1], receipt)
        package = changes.export_changes(laptop.db, tmp_path / "changes.zip", actor=laptop.clerk)
    finally:
        laptop.db.dispose()
    at_desk(monkeypatch, tmp_path / "desk-2")
    desk_two = open_app_database(pg_db.url)
    try:
        report = merge.import_changes(desk_two, court.admin, package)
        assert report.files == 1
        with desk_two.reader() as s:
            assert desk_two.files.read(s, sha(SCAN)) == SCAN
        assert stored_rows(desk_two) == 2
    finally:
        desk_two.dispose()
    assert not files_under(tmp_path / "desk-2")


# --- copy-database: the folder's files into the server and back out ----------------------------


def test_copy_database_moves_the_files_to_the_server_and_back(
    sqlite_db: Database, admin: Actor, pg_server: Any, tmp_path: Path, photo: Path
) -> None:
    case_id = new_case(sqlite_db, admin)
    scan = tmp_path / "送达回证扫描.pdf"
    scan.write_bytes(SCAN)
    visit(sqlite_db, admin, case_id, photo, scan)
    with sqlite_db.unit_of_work() as s:
        issued = notices.issue_notice(s, admin, case_id, DocumentKind.URGING, today=TODAY)
    files = {sha(PHOTO): PHOTO, sha(SCAN): SCAN, issued.pdf_sha256: issued.pdf}
    server = pg_server.create(initialised=False)
    try:
        there = transfer_db.copy_database(sqlite_db.url, server)
        assert there.files is not None and there.files.rows == 3
        db = open_app_database(server)
        try:
            with db.reader() as s:
                rows = {r.sha256: bytes(r.content) for r in s.scalars(select(StoredFile))}
                assert notices.stored_pdf(s, issued.id) == issued.pdf
        finally:
            db.dispose()
        assert rows == files

        back = tmp_path / "back" / "docket.db"
        back.parent.mkdir()
        home = transfer_db.copy_database(server, sqlite_url(back))
        assert home.files == there.files  # the same count and checksum both ways
        folder = back.parent / "docket-files"
        assert {p.name: p.read_bytes() for p in folder.glob("??/*")} == files
        copied = open_app_database(sqlite_url(back))
        try:
            assert stored_rows(copied) == 0
            with copied.reader() as s:
                assert notices.stored_pdf(s, issued.id) == issued.pdf
        finally:
            copied.dispose()
    finally:
        pg_server.drop(server)


def test_a_damaged_file_in_the_folder_stops_the_copy(
    sqlite_db: Database, admin: Actor, pg_server: Any, photo: Path
) -> None:
    case_id = new_case(sqlite_db, admin)
    visit(sqlite_db, admin, case_id, photo)
    stored = in_folder(sqlite_db, PHOTO)
    stored.write_bytes(PHOTO[:-1] + b"\x00")
    server = pg_server.create(initialised=False)
    try:
        with pytest.raises(UserError, match=r"校验值不符.*目标数据库未作任何改动"):
            transfer_db.copy_database(sqlite_db.url, server)
        db = open_app_database(server)
        try:
            assert stored_rows(db) == 0
            with db.reader() as s:
                assert s.scalar(select(func.count()).select_from(Attachment)) == 0
        finally:
            db.dispose()
    finally:
        pg_server.drop(server)


def test_a_named_file_missing_from_the_folder_is_reported(
    sqlite_db: Database, admin: Actor, tmp_path: Path, photo: Path
) -> None:
    case_id = new_case(sqlite_db, admin)
    visit(sqlite_db, admin, case_id, photo)
    os.remove(in_folder(sqlite_db, PHOTO))
    report = transfer_db.copy_database(sqlite_db.url, sqlite_url(tmp_path / "copy.db"))
    assert report.files is not None and report.files.rows == 0
    assert any("1 个文件" in note and "缺失" in note for note in report.notes)
