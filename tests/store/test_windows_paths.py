"""Database paths as Windows desks have them: a mapped drive letter kept as written, UNC paths,
spaces and Chinese names in SQLite ``file:`` URIs.

Linux cannot mount ``Z:``, but it has both failures in kind: a symbolic link stands for the mapped
drive that ``resolve()`` would replace, and a path written with two leading slashes (``//tmp/…``,
which Linux reads as ``/tmp/…``) is what a UNC path becomes in a URI."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from zhiqian_desktop.services.admin.maintenance import open_app_database, take_backup
from zhiqian_desktop.store.backup import list_backups
from zhiqian_desktop.store.engine import sqlite_file, sqlite_url
from zhiqian_desktop.store.file_uri import path_of_file_uri, sqlite_file_uri
from zhiqian_desktop.store.locations import backups_dir

WINDOWS_CASES = [
    (r"Z:\zhiqian.db", "file:///Z:/zhiqian.db"),
    (
        r"C:\Users\张 三\执前督促\zhiqian.db",
        "file:///C:/Users/%E5%BC%A0%20%E4%B8%89/%E6%89%A7%E5%89%8D%E7%9D%A3%E4%BF%83/zhiqian.db",
    ),
    (
        r"\\fileserver\执行局\zhiqian.db",
        "file:////fileserver/%E6%89%A7%E8%A1%8C%E5%B1%80/zhiqian.db",
    ),
    (r"\\fileserver\share\a #1?.db", "file:////fileserver/share/a%20%231%3F.db"),
]


@pytest.mark.parametrize(("path", "uri"), WINDOWS_CASES)
def test_windows_paths_become_uris_with_an_empty_authority(path: str, uri: str) -> None:
    built = sqlite_file_uri(PureWindowsPath(path))
    assert built == uri
    assert not built.startswith("file://fileserver")  # SQLite: "invalid uri authority"
    assert PureWindowsPath(path_of_file_uri(built)) == PureWindowsPath(path)
    assert sqlite_file_uri(PureWindowsPath(path), read_only=True) == uri + "?mode=ro"


def test_posix_paths_with_spaces_and_reserved_characters_round_trip() -> None:
    path = PurePosixPath("/home/张 三/案件#1?.db")
    uri = sqlite_file_uri(path)
    assert uri == "file:///home/%E5%BC%A0%20%E4%B8%89/%E6%A1%88%E4%BB%B6%231%3F.db"
    assert path_of_file_uri(uri) == str(path)
    assert sqlite_file(f"sqlite:///{sqlite_file_uri(path, read_only=True)}&uri=true") == Path(path)


POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX paths and symbolic links")


@POSIX_ONLY
def test_a_mapped_drive_stays_as_written(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    drive = tmp_path / "Z"
    drive.symlink_to(share, target_is_directory=True)
    assert sqlite_url(drive / "zhiqian.db") == f"sqlite:///{(drive / 'zhiqian.db').as_posix()}"


def _unc_like(path: Path) -> Path:
    """``/tmp/x`` written ``//tmp/x``: the same file to Linux, a URI authority to a careless
    builder, as ``\\\\server\\share`` is on Windows."""
    return Path("/" + path.as_posix())


@POSIX_ONLY
def test_a_database_and_its_backups_open_by_a_path_with_two_leading_slashes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "执行 局"
    folder.mkdir()
    database = _unc_like(folder / "zhiqian.db")
    assert str(database).startswith("//")
    url = f"sqlite:///{database.as_posix()}"  # as a UNC path's URL is on Windows
    db = open_app_database(url)
    try:
        with sqlite3.connect(sqlite_file_uri(database, read_only=True), uri=True) as conn:
            assert conn.execute("select count(*) from sqlite_master").fetchone()[0] > 0
        backup = take_backup(db, label="manual")
        assert backup.exists()
        assert [b.path.name for b in list_backups(backups_dir(database))] == [backup.name]
    finally:
        db.dispose()
    reopened = open_app_database(url)  # checked on open: not "damaged"
    reopened.dispose()
    assert sqlite_url(database) == url
