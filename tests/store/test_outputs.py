"""Where an output may go (store/outputs.py), and JSON from outside read with a nesting limit
(store/bounded_json.py)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhiqian_desktop.domain.errors import AlreadyExists, UserError
from zhiqian_desktop.store import bounded_json
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.locations import attachments_dir, backups_dir, data_dir
from zhiqian_desktop.store.outputs import (
    check_output_file,
    check_output_folder,
    place,
    write_output,
)


@pytest.fixture
def database(sqlite_db: Database) -> Path:
    assert sqlite_db.path is not None
    return sqlite_db.path


def refused(target: Path | str, **options: bool) -> str:
    with pytest.raises(UserError) as info:
        check_output_file(target, **options)
    return info.value.message


def test_a_new_file_in_an_ordinary_folder_is_fine(database: Path, tmp_path: Path) -> None:
    assert check_output_file(tmp_path / "报表.xlsx") == tmp_path / "报表.xlsx"
    relative = Path(os.path.relpath(tmp_path / "x.pdf"))
    assert check_output_file(relative) == tmp_path / "x.pdf"


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal", ".lock"])
def test_the_open_database_and_its_companions_are_refused_even_with_force(
    database: Path, suffix: str
) -> None:
    target = Path(f"{database}{suffix}")
    assert "数据库" in refused(target, force=True)


def test_links_to_the_database_are_refused(database: Path, tmp_path: Path) -> None:
    (tmp_path / "soft.db").symlink_to(database)
    (tmp_path / "hard.db").hardlink_to(database)
    (tmp_path / "folder").symlink_to(database.parent)
    for target in (tmp_path / "soft.db", tmp_path / "hard.db", tmp_path / "folder" / database.name):
        assert "数据库" in refused(target, force=True)


def test_the_folders_of_the_database_and_the_app_are_refused(database: Path) -> None:
    for folder, says in (
        (attachments_dir(database), "附件和密钥文件夹"),
        (backups_dir(database), "备份文件夹"),
        (data_dir(), "数据目录"),
    ):
        assert says in refused(folder / "x.pdf", force=True)
        assert says in refused(folder / "deeper" / "x.pdf", force=True)
    # ...except where an output belongs all the same: a backup in the backups folder.
    backups_dir(database).mkdir(exist_ok=True)
    allowed = check_output_file(backups_dir(database) / "b.db", allow=[backups_dir(database)])
    assert allowed.parent == backups_dir(database)


def test_a_database_in_use_elsewhere_and_its_folders_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "court.db"
    other.parent.mkdir()
    other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 2 + b"\x02\x02" + b"\x00" * 80)
    assert "正在使用的数据库" in refused(other, force=True)
    (other.parent / "court-files").mkdir()
    assert "附件和密钥文件夹" in refused(other.parent / "court-files" / "x.pdf", force=True)
    assert "附属文件" in refused(Path(f"{other}-wal"), force=True)
    plain = tmp_path / "old-backup.db"  # a copy in rollback mode, no companions: replaceable
    plain.write_bytes(b"SQLite format 3\x00" + b"\x00" * 2 + b"\x01\x01" + b"\x00" * 80)
    assert check_output_file(plain, force=True) == plain


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="pipes are POSIX")
def test_folders_devices_and_pipes_are_refused(tmp_path: Path) -> None:
    assert "文件夹" in refused(tmp_path, force=True)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert "不是普通文件" in refused(pipe, force=True)
    if Path("/dev/null").exists():
        assert "不是普通文件" in refused(Path("/dev/null"), force=True)


def test_an_existing_file_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    target.write_bytes(b"mine")
    with pytest.raises(AlreadyExists, match="已存在"):
        check_output_file(target)
    assert check_output_file(target, force=True) == target
    dangling = tmp_path / "dangling.pdf"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(AlreadyExists):
        check_output_file(dangling)


def test_a_missing_or_empty_place_is_refused(tmp_path: Path) -> None:
    assert "不存在" in refused(tmp_path / "no" / "x.pdf")
    assert "没有指定" in refused("")
    (tmp_path / "file").write_text("x")
    assert "不存在或不是文件夹" in refused(tmp_path / "file" / "x.pdf")


def test_writing_goes_through_a_temporary_name_and_never_clobbers(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    assert write_output(target, b"%PDF-1") == target
    assert target.read_bytes() == b"%PDF-1"
    with pytest.raises(AlreadyExists):
        write_output(target, b"%PDF-2")
    write_output(target, b"%PDF-3", force=True)
    assert target.read_bytes() == b"%PDF-3"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_a_name_taken_after_the_check_is_not_overwritten(tmp_path: Path) -> None:
    target = check_output_file(tmp_path / "late.pdf")
    tmp = tmp_path / ".late.pdf.part"
    tmp.write_bytes(b"ours")
    target.write_bytes(b"someone else's, written meanwhile")
    with pytest.raises(AlreadyExists):
        place(tmp, target, force=False)
    assert target.read_bytes() == b"someone else's, written meanwhile"


def test_two_writers_racing_for_one_name_leave_one_file(tmp_path: Path) -> None:
    target = tmp_path / "race.pdf"
    errors: list[BaseException] = []

    def write(payload: bytes) -> None:
        try:
            write_output(target, payload)
        except UserError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(bytes([n]) * 1000,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 7 and all(isinstance(e, AlreadyExists) for e in errors)
    assert len(set(target.read_bytes())) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["race.pdf"]


def test_output_folders(database: Path, tmp_path: Path) -> None:
    assert check_output_folder(tmp_path / "new", new=True) == tmp_path / "new"
    full = tmp_path / "full"
    full.mkdir()
    (full / "a.txt").write_text("x")
    with pytest.raises(AlreadyExists, match="不是空的"):
        check_output_folder(full)
    assert check_output_folder(full, force=True) == full
    with pytest.raises(UserError, match="已存在"):
        check_output_folder(full, new=True, force=True)
    with pytest.raises(UserError, match="不是文件夹"):
        check_output_folder(full / "a.txt", force=True)
    with pytest.raises(UserError, match="附件和密钥文件夹"):
        check_output_folder(attachments_dir(database) / "kit", force=True)


# --- JSON with a nesting limit -----------------------------------------------------------------------


@pytest.mark.parametrize("opening", ["[", '{"a":', '[{"a":'])
def test_json_nested_past_the_limit_is_refused_before_parsing(opening: str) -> None:
    closing = "".join("]" if c == "[" else "}" for c in opening if c in "[{")[::-1]
    deep = opening * 100_000 + "1" + closing * 100_000
    with pytest.raises(bounded_json.TooDeep, match="嵌套"):
        bounded_json.loads(deep)
    at_limit = "[" * bounded_json.MAX_DEPTH + "]" * bounded_json.MAX_DEPTH
    assert bounded_json.loads(at_limit.encode()) is not None
    with pytest.raises(bounded_json.TooDeep):
        bounded_json.loads("[" + at_limit + "]")


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"note": "[[[{{{" * 1000, "path": 'a\\"[', "x": [[1]]})
    assert bounded_json.nesting_depth(text) == 3
    assert bounded_json.loads(text)["x"] == [[1]]


def test_not_utf8_and_not_json_are_value_errors() -> None:
    with pytest.raises(ValueError):
        bounded_json.loads(b"\xff\xfe{}")
    with pytest.raises(ValueError):
        bounded_json.loads(b"{not json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(json_values)
def test_anything_within_the_limit_reads_as_json_does(value: object) -> None:
    text = json.dumps(value)
    if bounded_json.nesting_depth(text) <= bounded_json.MAX_DEPTH:
        assert bounded_json.loads(text) == json.loads(text)
