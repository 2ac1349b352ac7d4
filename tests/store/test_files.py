"""Which file store a database uses: a folder beside a plain SQLite file, the database otherwise."""

from __future__ import annotations

from pathlib import Path

from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.files import DatabaseStore, FolderStore, file_store_for


def test_a_plain_sqlite_file_keeps_its_files_in_the_folder_beside_it(tmp_path: Path) -> None:
    store = file_store_for(sqlite_url(tmp_path / "docket.db"))
    assert isinstance(store, FolderStore)
    assert store.root == tmp_path / "docket-files"
    # The same file opened read-only through a URI: the same folder.
    uri = f"sqlite:///file:{(tmp_path / 'docket.db').as_posix()}?mode=ro&uri=true"
    read_only = file_store_for(uri)
    assert isinstance(read_only, FolderStore)
    assert read_only.root == tmp_path / "docket-files"


def test_a_server_keeps_its_files_inside_the_database() -> None:
    for url in (
        "postgresql+psycopg://zhiqian_desk:pw@zqdb.court.local/zhiqian",
        "postgresql://zhiqian_desk@zqdb.court.local:5432/zhiqian",
    ):
        assert isinstance(file_store_for(url), DatabaseStore), url


def test_an_encrypted_file_keeps_its_files_encrypted_inside_it(tmp_path: Path) -> None:
    # Only the URL is looked at: the rule holds without the optional sqlcipher3 installed.
    url = f"sqlite+pysqlcipher://:x'00ff'@/{(tmp_path / 'docket.db').as_posix()}"
    assert isinstance(file_store_for(url), DatabaseStore)
    assert not (tmp_path / "docket-files").exists()


def test_an_in_memory_database_has_no_folder_and_keeps_files_inside() -> None:
    assert isinstance(file_store_for("sqlite://"), DatabaseStore)
    assert isinstance(file_store_for("sqlite:///:memory:"), DatabaseStore)
