"""Encrypted offline kits: a lost USB stick shows nothing; the passphrase opens the kit, whose
database stays encrypted on the laptop; a wrong one is a clear message; the round trip works."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import SETUP
from tests.services.test_sync import Court, Laptop, changes, count, pay, setup_court
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import actor_for, default_actor
from zhiqian_desktop.services.exchange import kit_opening, merge, package_reader, sealed_kits
from zhiqian_desktop.services.exchange import kits as sync
from zhiqian_desktop.services.supervision import attachments
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import encrypted_url, sqlite_url
from zhiqian_desktop.store.models import Payment, User

pytest.importorskip("sqlcipher3", reason="encryption needs the sqlcipher extra")

KIT_PASSPHRASE = "沙尔沁-kit-2026"
SECRET_FILE = b"%PDF-1.4 evidence of the obligor's bank account 6222 0212 3456 7890"


@pytest.fixture(autouse=True)
def _no_keys() -> Iterator[None]:
    cipher.forget_all()
    yield
    cipher.forget_all()


def with_attachment(court: Court, tmp_path: Path) -> Court:
    scan = tmp_path / "bank-statement.pdf"
    scan.write_bytes(SECRET_FILE)
    with court.db.unit_of_work() as s:
        attachments.attach_file(
            s,
            court.admin,
            case_id=court.cases[0],
            owner_kind="case",
            owner_id=court.cases[0],
            source=scan,
        )
    return court


def export(court: Court, dest: Path, passphrase: str | None = KIT_PASSPHRASE) -> Path:
    return sync.export_kit(
        court.db,
        court.admin,
        tribunal_id=court.tribunal_id,
        year=2026,
        block_size=10,
        dest=dest,
        passphrase=passphrase,
    )


def assert_reveals_nothing(path: Path) -> None:
    raw = path.read_bytes()
    for secret in (
        b"SQLite format 3",
        b"PK\x03\x04",
        SECRET_FILE[:40],
        "王1".encode(),
        "沙尔沁法庭".encode(),
        SETUP.court_name.encode(),
        b"manifest",
        b"court.key",
    ):
        assert secret not in raw, secret


def open_laptop(kit: Path, folder: Path, passphrase: str = KIT_PASSPHRASE) -> Laptop:
    path = kit_opening.open_kit(kit, folder, passphrase=passphrase)
    db = open_app_database(sqlite_url(path))
    with db.reader() as s:
        clerk = actor_for(s.scalars(select(User).where(User.username == "zhangsan")).one())
    return Laptop(db, clerk)


def test_an_encrypted_kit_reveals_nothing_and_round_trips(
    sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    court = with_attachment(setup_court(sqlite_db, admin), tmp_path)
    (tmp_path / "stick").mkdir()
    kit = export(court, tmp_path / "stick" / "kit.zip")
    assert sealed_kits.is_encrypted_kit(kit)
    assert_reveals_nothing(kit)
    assert sorted(p.name for p in kit.parent.iterdir()) == ["kit.zip"]  # no plain leftovers
    assert package_reader.kit_manifest(kit, KIT_PASSPHRASE)["cases"] == 3

    with pytest.raises(sealed_kits.KitPassphraseRequired, match="已加密"):
        kit_opening.open_kit(kit, tmp_path / "laptop")
    with pytest.raises(cipher.WrongPassphrase, match="离线包口令不正确"):
        kit_opening.open_kit(kit, tmp_path / "laptop", passphrase="沙尔沁-KIT-2026")
    assert not (tmp_path / "laptop").exists()

    laptop = open_laptop(kit, tmp_path / "laptop")
    database = tmp_path / "laptop" / kit_opening.DB_NAME
    assert laptop.db.url == encrypted_url(database)
    # The kit's files went into the laptop's encrypted database, none is left readable on disk.
    sha = hashlib.sha256(SECRET_FILE).hexdigest()
    with laptop.db.reader() as s:
        assert laptop.db.files.read(s, sha) == SECRET_FILE
    for leftover in (tmp_path / "laptop").rglob("*"):
        if leftover.is_file():
            assert SECRET_FILE[:40] not in leftover.read_bytes(), leftover
    assert count(laptop.db, Payment) == 0
    pay(laptop.db, laptop.clerk, court.cases[0], "100.00")
    package = changes(laptop, tmp_path)
    laptop.db.dispose()
    raw = database.read_bytes()
    assert b"SQLite format 3" not in raw and "王1".encode() not in raw
    assert not list((tmp_path / "laptop").glob(".kit-unsealed-*"))

    # A later start on the laptop: only the kit's passphrase opens its database.
    cipher.forget_all()
    with pytest.raises(cipher.PassphraseRequired):
        open_app_database(sqlite_url(database))
    cipher.unlock(database, KIT_PASSPHRASE)
    reopened = open_app_database(sqlite_url(database))
    assert count(reopened, Payment) == 1
    reopened.dispose()

    report = merge.import_changes(court.db, court.admin, package)
    assert report.inserted.get("payment") == 1
    assert count(court.db, Payment) == 1


def test_a_kit_of_an_encrypted_court_database_must_be_encrypted(tmp_path: Path) -> None:
    from tests.conftest import SETUP as setup
    from zhiqian_desktop.services.core import settings as settings_service

    path = tmp_path / "court" / "docket.db"
    path.parent.mkdir()
    cipher.remember(path, cipher.new_key("the court's own passphrase"))
    db = open_app_database(encrypted_url(path))
    try:
        with db.unit_of_work() as s:
            settings_service.initialize(s, setup)
        with db.reader() as s:
            admin = default_actor(s)
        court = with_attachment(setup_court(db, admin), tmp_path)
        with pytest.raises(UserError, match="离线包也必须加密"):
            export(court, tmp_path / "plain-kit.zip", passphrase=None)
        assert not (tmp_path / "plain-kit.zip").exists()

        kit = export(court, tmp_path / "kit.zip")
        assert_reveals_nothing(kit)
        # The laptop gets the kit's passphrase, not the court's.
        with pytest.raises(cipher.WrongPassphrase):
            kit_opening.open_kit(kit, tmp_path / "laptop", passphrase="the court's own passphrase")
        laptop = open_laptop(kit, tmp_path / "laptop")
        assert count(laptop.db, Payment) == 0
        laptop.db.dispose()
    finally:
        db.dispose()


def test_a_plain_kit_still_opens_without_a_passphrase(
    sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    court = setup_court(sqlite_db, admin)
    kit = export(court, tmp_path / "kit.zip", passphrase=None)
    assert kit.read_bytes()[:2] == b"PK" and not sealed_kits.is_encrypted_kit(kit)
    path = kit_opening.open_kit(kit, tmp_path / "laptop")
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_damaged_encrypted_kit_is_refused(
    sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    court = setup_court(sqlite_db, admin)
    kit = export(court, tmp_path / "kit.zip")
    data = bytearray(kit.read_bytes())
    data[len(data) // 2] ^= 0xFF
    kit.write_bytes(bytes(data))
    with pytest.raises(UserError, match="已损坏"):
        kit_opening.open_kit(kit, tmp_path / "laptop", passphrase=KIT_PASSPHRASE)
    assert not (tmp_path / "laptop" / kit_opening.DB_NAME).exists()


def test_a_short_kit_passphrase_is_refused_before_anything_is_reserved(
    sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    court = setup_court(sqlite_db, admin)
    with pytest.raises(UserError, match="至少"):
        export(court, tmp_path / "kit.zip", passphrase="short")
    assert not (tmp_path / "kit.zip").exists()
    with court.db.reader() as s:
        assert sync.list_kits(s) == []
