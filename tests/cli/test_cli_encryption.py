"""`zhiqian init --encrypt`, the passphrase of an encrypted database (environment or terminal),
`zhiqian encrypt` / `decrypt`, and encrypted backups from the command line."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import one_line_error
from zhiqian_desktop.cli.main import main
from zhiqian_desktop.store import cipher

pytest.importorskip("sqlcipher3", reason="encryption needs the sqlcipher extra")

PASSPHRASE = "长城-correct-horse"
COURT = "土默特右旗人民法院"


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ZHIQIAN_PASSPHRASE", raising=False)
    monkeypatch.delenv("ZHIQIAN_NEW_PASSPHRASE", raising=False)
    cipher.forget_all()
    yield
    cipher.forget_all()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    """main() in-process, as a new process would be: no key remembered from before."""

    def _run(*argv: str | Path) -> tuple[int, str, str]:
        cipher.forget_all()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def init_encrypted(run: Any, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", PASSPHRASE)
    code, out, err = run(
        "init", "--court-name", COURT, "--court-code", "内0221", "--encrypt", "--db", path
    )
    assert code == 0, err
    assert "已初始化数据库" in out
    monkeypatch.delenv("ZHIQIAN_PASSPHRASE")


def test_init_encrypt_creates_an_encrypted_database(
    run: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_encrypted(run, db_path, monkeypatch)
    raw = db_path.read_bytes()
    assert b"SQLite format 3" not in raw and COURT.encode() not in raw

    # Without the passphrase (no terminal here): one line saying how to give it.
    code, out, err = run("cases", "--db", db_path)
    assert code == 1 and out == ""
    assert "ZHIQIAN_PASSPHRASE" in one_line_error(err)

    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", "wrong passphrase")
    code, out, err = run("cases", "--db", db_path)
    assert code == 1
    line = one_line_error(err)
    assert "口令不正确" in line and "wrong passphrase" not in line

    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", PASSPHRASE)
    code, out, err = run("demo", "--cases", "3", "--db", db_path)
    assert code == 0, err
    code, out, err = run("cases", "--json", "--db", db_path)
    assert code == 0, err
    assert out.count('"case_no"') == 3


def test_init_encrypt_refuses_an_existing_file_and_a_short_passphrase(
    run: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", "short")
    code, _, err = run(
        "init", "--court-name", COURT, "--court-code", "内0221", "--encrypt", "--db", db_path
    )
    assert code == 1
    assert "至少" in one_line_error(err)
    assert not db_path.exists()

    init_encrypted(run, db_path, monkeypatch)
    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", PASSPHRASE)
    code, _, err = run(
        "init", "--court-name", COURT, "--court-code", "内0221", "--encrypt", "--db", db_path
    )
    assert code == 1
    assert "已存在" in one_line_error(err)


def test_the_passphrase_is_asked_at_a_terminal_with_retries(
    run: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_encrypted(run, db_path, monkeypatch)
    typed = iter(["first wrong", PASSPHRASE])
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    code, out, err = run("cases", "--db", db_path)
    assert code == 0, err
    assert len(prompts) == 2 and str(db_path) in prompts[0]
    assert "口令不正确" in err
    assert "first wrong" not in out + err


def test_backup_check_and_restore_of_an_encrypted_database(
    run: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    init_encrypted(run, db_path, monkeypatch)
    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", PASSPHRASE)
    assert run("demo", "--cases", "2", "--db", db_path)[0] == 0
    code, out, err = run("backup", "-o", tmp_path / "copy.db", "--db", db_path)
    assert code == 0, err
    raw = (tmp_path / "copy.db").read_bytes()
    assert b"SQLite format 3" not in raw and COURT.encode() not in raw
    code, out, err = run("check", "--db", db_path)
    assert code == 0, err
    assert "完整性检查：正常" in out
    code, out, err = run("restore", tmp_path / "copy.db", "--db", db_path)
    assert code == 0, err
    assert "已用" in out


def test_encrypt_change_passphrase_and_decrypt(
    run: Any, db: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.dispose()
    monkeypatch.setenv("ZHIQIAN_NEW_PASSPHRASE", PASSPHRASE)
    code, out, err = run("encrypt", "--db", db_path)
    assert code == 0, err
    assert "已加密数据库" in out and "没有加密" in out  # the old backup is named as plain
    raw = db_path.read_bytes()
    assert b"SQLite format 3" not in raw and COURT.encode() not in raw

    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("ZHIQIAN_NEW_PASSPHRASE", "another passphrase")
    code, out, err = run("encrypt", "--db", db_path)
    assert code == 0, err
    assert "已更换数据库口令" in out
    code, _, err = run("check", "--db", db_path)
    assert code == 1 and "口令不正确" in one_line_error(err)

    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", "another passphrase")
    code, out, err = run("decrypt", "--db", db_path)
    assert code == 0, err
    assert db_path.read_bytes()[:16] == b"SQLite format 3\x00"
    monkeypatch.delenv("ZHIQIAN_PASSPHRASE")
    code, out, err = run("check", "--db", db_path)
    assert code == 0, err
    code, _, err = run("decrypt", "--db", db_path)
    assert code == 1 and "没有加密" in one_line_error(err)


def test_export_kit_encrypted_and_open_it(
    run: Any,
    sqlite_db: Any,
    admin: Any,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.services.test_sync import setup_court

    setup_court(sqlite_db, admin)
    sqlite_db.dispose()
    kit = tmp_path / "kit.zip"
    code, _, err = run(
        "export-kit", "--tribunal", "沙尔沁法庭", "-o", kit, "--encrypt", "--db", db_path
    )
    assert code == 1 and "ZHIQIAN_KIT_PASSPHRASE" in one_line_error(err)
    assert not kit.exists()

    monkeypatch.setenv("ZHIQIAN_KIT_PASSPHRASE", "kit passphrase 1")
    code, out, err = run(
        "export-kit", "--tribunal", "沙尔沁法庭", "-o", kit, "--encrypt", "--db", db_path
    )
    assert code == 0, err
    assert "3件案件" in out
    assert b"PK\x03\x04" not in kit.read_bytes()

    monkeypatch.setenv("ZHIQIAN_KIT_PASSPHRASE", "kit passphrase 2")
    code, _, err = run("open-kit", kit, "--dir", tmp_path / "laptop")
    assert code == 1 and "离线包口令不正确" in one_line_error(err)
    monkeypatch.setenv("ZHIQIAN_KIT_PASSPHRASE", "kit passphrase 1")
    code, out, err = run("open-kit", kit, "--dir", tmp_path / "laptop")
    assert code == 0, err
    assert "已加密" in out
    laptop = tmp_path / "laptop" / "zhiqian.db"
    code, _, err = run("cases", "--db", laptop)
    assert code == 1 and "ZHIQIAN_PASSPHRASE" in one_line_error(err)
    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", "kit passphrase 1")
    code, out, err = run("cases", "--json", "--db", laptop)
    assert code == 0, err
    assert out.count('"case_no"') == 3


def test_restore_latest_of_a_damaged_encrypted_database(
    run: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_encrypted(run, db_path, monkeypatch)
    monkeypatch.setenv("ZHIQIAN_PASSPHRASE", PASSPHRASE)
    assert run("demo", "--cases", "2", "--db", db_path)[0] == 0
    assert run("backup", "--db", db_path)[0] == 0
    raw = bytearray(db_path.read_bytes())
    raw[16:4096] = bytes(4080)
    db_path.write_bytes(bytes(raw))
    code, _, err = run("cases", "--db", db_path)
    assert code == 1 and "已损坏" in one_line_error(err)
    code, out, err = run("restore", "--latest", "--db", db_path)
    assert code == 0, err
    assert "已损坏" in out and "改名保留" in out
    code, out, err = run("cases", "--json", "--db", db_path)
    assert code == 0, err
    assert out.count('"case_no"') == 2
