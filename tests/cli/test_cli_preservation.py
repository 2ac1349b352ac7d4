"""执行前保全 on the command line, on a real database file: apply, rule, measure, print, release,
the list with --json, and bad input as one line with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.cli.test_cli import one_line_error
from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.cli import preservation as cli_preservation
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, Preservation, PreservationApplication

NO = "（2026）内0221执前督1号"
RULING = NO + "之一"


@pytest.fixture
def case_db(db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setattr(cli_preservation, "CLOCK", Clock.fixed(TODAY))
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    return db


def _count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_whole_round(
    run: Any, case_db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(
        "preservation", "apply", NO, "--date", "2026-11-21", "--amount", "10,000",
        "--clues", "农业银行账户", "--reason", "正在转移存款", "--db", db_path,
    )  # fmt: skip
    assert code == 0, err
    assert "（待裁定）" in out and "¥10,000.00" in out
    code, out, err = run(
        "preservation", "rule", NO, "--date", "2026-11-22", "--judge", "赵法官", "--db", db_path
    )
    assert code == 0, err
    assert RULING in out
    code, out, err = run(
        "preservation", "measure", "(2026)内0221执前督1号之一", "--kind", "银行存款",
        "--measure", "冻结", "--property", "账户6228", "--holder", "农业银行土右旗支行",
        "--date", "2026-11-23", "--amount", "8000", "--db", db_path,
    )  # fmt: skip
    assert code == 0, err
    assert "第1项 冻结银行存款（账户6228） 协助：农业银行土右旗支行 2026-11-23 至 2027-11-23" in out
    pdf = tmp_path / "notice.pdf"
    code, out, err = run(
        "preservation", "print", RULING, "--item", "1", "-o", pdf, "--json", "--db", db_path
    )
    assert code == 0, err
    assert json.loads(out)["doc_no"] == NO + "-协执1"
    assert "农业银行土右旗支行：" in "".join(pdf_text(pdf.read_bytes()).split())
    monkeypatch.chdir(tmp_path)
    code, out, err = run("preservation", "print", RULING, "--db", db_path)
    assert code == 0, err
    assert f"已出具财产保全裁定书：{RULING}" in out
    code, out, err = run(
        "preservation", "release", RULING, "--reason", "performed", "--note", "已付清",
        "--db", db_path,
    )  # fmt: skip
    assert code == 0, err
    assert "已全部解除" in out
    code, out, err = run("preservation", "list", NO, "--json", "--db", db_path)
    assert code == 0, err
    [data] = json.loads(out)
    assert (data["ruling_no"], data["judge"], data["state"]) == (RULING, "赵法官", "已全部解除")
    [m] = data["measures"]
    assert (m["measure"], m["expires_on"], m["released_on"], m["release_reason"]) == (
        "freeze",
        "2027-11-23",
        "2026-11-25",
        "performed",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("rule", NO, "--judge", "赵法官"), "没有待裁定的保全申请"),
        (("apply", NO, "--amount", "abc", "--clues", "x", "--reason", "y"), "--amount：金额"),
        (("apply", NO, "--amount", "100", "--reason", "y"), "财产线索不能为空"),
        (("measure", RULING, "--kind", "银行存款", "--measure", "冻结"), "没有案号为"),
        (("release", RULING, "--reason", "paid"), "没有案号为"),
        (("list", "（2026）内0221执前督99号"), "没有案号为"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    run: Any, case_db: Database, db_path: Path, argv: tuple[str, ...], message: str
) -> None:
    events = _count(case_db, AuditEvent)
    code, out, err = run("preservation", *argv, "--db", db_path)
    assert code == 1 and out == ""
    assert message in one_line_error(err)
    assert _count(case_db, PreservationApplication) == 0 and _count(case_db, Preservation) == 0
    assert _count(case_db, AuditEvent) == events


def test_a_measure_needs_its_kind_and_release_its_reason(
    run: Any, case_db: Database, db_path: Path
) -> None:
    assert run(
        "preservation", "apply", NO, "--amount", "100", "--clues", "x", "--reason", "y",
        "--db", db_path,
    )[0] == 0  # fmt: skip
    assert run("preservation", "rule", NO, "--judge", "赵法官", "--db", db_path)[0] == 0
    code, _, err = run("preservation", "measure", RULING, "--property", "x", "--db", db_path)
    assert code == 1 and "须用 --kind" in one_line_error(err)
    code, _, err = run(
        "preservation", "measure", RULING, "--kind", "car", "--measure", "冻结", "--db", db_path
    )
    assert code == 1 and "--kind “car”不正确" in one_line_error(err)
    code, _, err = run("preservation", "release", RULING, "--db", db_path)
    assert code == 1 and "须用 --reason" in one_line_error(err)
    code, _, err = run("preservation", "release", RULING, "--reason", "paid", "--item", "3",
                       "--db", db_path)  # fmt: skip
    assert code == 1 and "没有第3项措施" in one_line_error(err)
    assert _count(case_db, Preservation) == 0


def test_release_with_its_ruling_and_notice(
    run: Any, case_db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in (
        ("apply", NO, "--date", "2026-11-21", "--amount", "100", "--clues", "x", "--reason", "y"),
        ("rule", NO, "--date", "2026-11-22", "--judge", "赵法官"),
        ("measure", RULING, "--kind", "银行存款", "--measure", "冻结", "--property", "账户6228",
         "--holder", "农业银行土右旗支行", "--date", "2026-11-23"),
    ):  # fmt: skip
        assert run("preservation", *argv, "--db", db_path)[0] == 0
    code, _, err = run("preservation", "release-print", RULING, "--db", db_path)
    assert code == 1 and "须用 --item N" in one_line_error(err)
    code, _, err = run("preservation", "release-print", RULING, "--item", "1", "--db", db_path)
    assert code == 1 and "尚未登记解除" in one_line_error(err)
    # “其他”: no ruling, and the release is not recorded either.
    code, _, err = run(
        "preservation", "release", RULING, "--reason", "other", "--note", "协商", "--print",
        "--db", db_path,
    )  # fmt: skip
    assert code == 1 and "没有可援引" in one_line_error(err)
    assert list(tmp_path.glob("*.pdf")) == []
    code, out, err = run(
        "preservation", "release", RULING, "--reason", "withdrawn", "--print", "--json",
        "--db", db_path,
    )  # fmt: skip
    assert code == 0, err
    ruling, notice = json.loads(out)
    assert (ruling["doc_no"], ruling["kind"]) == (NO + "之二", "release_ruling")
    assert (notice["doc_no"], notice["kind"]) == (NO + "-解保协执1", "release_notice")
    text = "".join(pdf_text(Path(ruling["output"]).read_bytes()).split())
    assert "解除冻结被申请人名下的银行存款（账户6228）" in text
    assert "农业银行土右旗支行：" in "".join(pdf_text(Path(notice["output"]).read_bytes()).split())
    code, _, err = run("preservation", "release-print", RULING, "--item", "1", "--db", db_path)
    assert code == 1 and "不能重复裁定" in one_line_error(err)
