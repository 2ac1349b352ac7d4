"""Data folders, databases, documents, backups, kits, change packages, transfer packages and
exports under names with spaces, Chinese characters and long paths (past Windows' old 260-character
limit), as on a profile like C:\\Users\\张 三\\: the command line end to end, the desktop's
single-instance lock, and a database path too long for SQLite refused as such (not as damaged)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.services.test_sync import PASSWORD, setup_court
from zhiqian_desktop.cli.main import main
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.store.engine import sqlite_url


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user folder like C:\\Users\\张 三\\Documents\\…, nested past 260 characters (and
    within the 512 bytes SQLite opens: a Chinese character is 3 bytes in UTF-8)."""
    base = tmp_path / "Users" / "张 三" / "我的 文档"
    while len(str(base)) < 270:
        base = base / "Zhiqian work files 执前督促"
    base.mkdir(parents=True)
    monkeypatch.setenv("ZHIQIAN_DATA_DIR", str(base / "数据 目录"))
    return base


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    def _run(*argv: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_every_file_the_court_keeps_works_under_such_a_path(profile: Path, run: Any) -> None:
    db_file = profile / "数据 目录" / "执前督促 数据库.db"
    db_file.parent.mkdir()
    db = open_app_database(sqlite_url(db_file))
    settings_service.initialize(db, settings_service.SetupInput("土默特右旗人民法院", "内0221"))
    setup_court(db, default_actor(db))
    db.dispose()
    assert len(str(db_file)) > 260

    code, out, err = run("cases", "--json", "--db", db_file)
    assert code == 0, err
    case_no = json.loads(out)["cases"][0]["case_no"]

    notice = profile / "文书 输出" / "催告书 王1.pdf"
    notice.parent.mkdir()
    code, _, err = run("notice", case_no, "--kind", "urging", "-o", notice, "--db", db_file)
    assert code == 0, err
    assert notice.read_bytes().startswith(b"%PDF-")

    backups = profile / "备份 文件夹"
    backups.mkdir()
    code, _, err = run("backup", "-o", backups, "--db", db_file)
    assert code == 0, err
    assert [p.suffix for p in backups.iterdir()] == [".db"]

    kit = profile / "沙尔沁 离线包.zip"
    code, _, err = run("export-kit", "--tribunal", "沙尔沁法庭", "-o", kit, "--db", db_file)
    assert code == 0, err
    laptop = profile / "法庭 笔记本" / "执前督促 离线"
    laptop.parent.mkdir()
    code, _, err = run("open-kit", kit, "--dir", laptop)
    assert code == 0, err
    changes = profile / "沙尔沁 变更包.zip"
    code, _, err = run(
        "export-changes",
        "-o",
        changes,
        "--db",
        laptop / "zhiqian.db",
        "--user",
        "zhangsan",
        "--password",
        PASSWORD,
    )
    assert code == 0, err
    code, _, err = run("import-changes", changes, "--db", db_file)
    assert code == 0, err

    package = profile / "移送 材料" / "移送 王1.zip"
    package.parent.mkdir()
    code, _, err = run("transfer", case_no, "-o", package, "--db", db_file)
    assert code == 0, err
    assert "manifest.json" in zipfile.ZipFile(package).namelist()
    public_key = profile / "法院 公钥.pem"
    code, _, err = run("export-public-key", "-o", public_key, "--db", db_file)
    assert code == 0, err
    code, out, err = run("verify-package", package, "--public-key", public_key)
    assert code == 0, err
    assert "本院签名有效" in out, out

    template = profile / "导入 模板.xlsx"
    code, _, err = run("import-template", "-o", template)
    assert code == 0, err
    assert zipfile.is_zipfile(template)


def test_a_database_path_too_long_for_sqlite_is_refused_as_such(profile: Path, run: Any) -> None:
    folder = (
        profile / ("执前督促工作资料" * 4) / ("执前督促工作资料" * 4) / ("执前督促工作资料" * 4)
    )
    folder.mkdir(parents=True)
    code, _, err = run(
        "init",
        "--court-name",
        "土默特右旗人民法院",
        "--court-code",
        "内0221",
        "--db",
        folder / "zhiqian.db",
    )
    assert code == 1
    assert "路径太长" in err and "损坏" not in err and "Traceback" not in err
    assert list(folder.iterdir()) == []


def test_the_desktop_lock_works_under_such_a_path(profile: Path) -> None:
    from zhiqian_desktop.domain.errors import UserError
    from zhiqian_desktop.gui.app import lock_database

    db_file = profile / "执前督促 数据库.db"
    db_file.touch()
    lock = lock_database(db_file)
    try:
        assert lock.isLocked()
        with pytest.raises(UserError):  # a second window on the same file is refused
            lock_database(db_file)
    finally:
        lock.unlock()
