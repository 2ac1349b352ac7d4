"""Files holding court data are private to the account that runs the app (0600, folders 0700):
the database and its companions, backups, keys, kits, transfer packages and what commands write;
files left readable by an earlier version are fixed when the database is opened (issue 17, 5).

POSIX only: on Windows the user's profile ACLs keep other accounts out and modes mean little."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SETUP, TODAY, make_case_input
from zhiqian_desktop.cli.main import main
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.admin.maintenance import open_app_database, take_backup
from zhiqian_desktop.services.closing.transfer_package import build_transfer_package
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.staff import add_tribunal
from zhiqian_desktop.services.core.users import create_user, default_actor
from zhiqian_desktop.services.exchange import kit_opening, kits
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.locations import attachments_dir, audit_key_path, backups_dir

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A process that never asked for privacy (umask 022), as a library caller would be."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_database_wal_backup_and_keys_are_created_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "court.db"
    db = open_app_database(sqlite_url(path))
    try:
        with db.unit_of_work() as session:
            settings_service.initialize(session, SETUP)
        with db.unit_of_work() as session:
            admin = default_actor(session)
            register_case(session, admin, make_case_input(1), today=TODAY)
        backup = take_backup(db, label="manual")
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), backup, audit_key_path(path)):
            assert mode(file) == 0o600, file
        for folder in (backups_dir(path), attachments_dir(path)):
            assert mode(folder) == 0o700, folder
    finally:
        db.dispose()


def test_kits_their_keys_on_the_laptop_and_transfer_packages_are_created_private(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "court.db"
    db = open_app_database(sqlite_url(path))
    try:
        with db.unit_of_work() as session:
            settings_service.initialize(session, SETUP)
        with db.unit_of_work() as session:
            admin = default_actor(session)
            tribunal = add_tribunal(session, admin, "沙尔沁法庭")
            clerk = create_user(
                session, admin, username="zhangsan", display_name="张三", role=Role.HANDLER
            )
            data = make_case_input(1, handler_id=clerk.id, tribunal_id=tribunal.id)
            case_id = register_case(session, admin, data, today=TODAY).id
            tribunal_id = tribunal.id
        kit = kits.export_kit(
            db, admin, tribunal_id=tribunal_id, year=2026, block_size=5, dest=tmp_path / "kit.zip"
        )
        zipped = build_transfer_package(
            db, admin, case_id, "督促不成", tmp_path / "t.zip", as_zip=True, today=TODAY
        )
        assert mode(kit) == 0o600
        assert mode(zipped) == 0o600
        laptop = kit_opening.open_kit(kit, tmp_path / "laptop")
        folder = attachments_dir(laptop)
        for key in ("kit.key", "audit.key", "records.key"):
            assert mode(folder / key) == 0o600, key
        assert mode(laptop) == 0o600
        assert mode(folder) == mode(tmp_path / "laptop") == 0o700
        with zipfile.ZipFile(zipped) as zf:  # unpacked elsewhere, members stay private too
            assert {(i.external_attr >> 16) & 0o777 for i in zf.infolist()} == {0o600}
    finally:
        db.dispose()


def test_opening_a_database_makes_its_old_files_private(tmp_path: Path) -> None:
    path = tmp_path / "court.db"
    db = open_app_database(sqlite_url(path))
    with db.unit_of_work() as session:
        settings_service.initialize(session, SETUP)
    backup = take_backup(db, label="manual")
    db.dispose()
    loose = [path, backup, audit_key_path(path)]
    for file in loose:
        os.chmod(file, 0o644)
    for folder in (backups_dir(path), attachments_dir(path)):
        os.chmod(folder, 0o755)
    db = open_app_database(sqlite_url(path))
    try:
        assert [mode(f) for f in loose] == [0o600] * len(loose)
        assert mode(backups_dir(path)) == mode(attachments_dir(path)) == 0o700
        assert mode(Path(f"{path}-wal")) == 0o600
    finally:
        db.dispose()


def test_what_a_command_writes_is_private(
    tmp_path: Path, open_umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "court.db"
    assert main(["init", "--court-name", "土默特右旗人民法院", "--court-code", "内0221",
                 "--db", str(path)]) == 0  # fmt: skip
    db = open_app_database(sqlite_url(path))
    with db.unit_of_work() as session:
        case_no = register_case(session, default_actor(session), make_case_input(3), today=TODAY)
        number = case_no.case_no
    db.dispose()
    pdf = tmp_path / "out" / "notice.pdf"
    pdf.parent.mkdir()
    code = main(["notice", number, "--kind", "urging", "-o", str(pdf), "--db", str(path)])
    assert code == 0, capsys.readouterr().err
    assert mode(pdf) == 0o600
    assert mode(path) == 0o600
