"""委托调解 on the command line, on a real database file: the list, entrusting, the result, the
counts, and bad input as one line with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.cli.test_cli import one_line_error
from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.cli import mediation as cli_mediation
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Mediation, Mediator

NO = "（2026）内0221执前督1号"


@pytest.fixture
def case_db(db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setattr(cli_mediation, "CLOCK", Clock.fixed(TODAY))
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    return db


def _count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_whole_round(run: Any, case_db: Database, db_path: Path) -> None:
    code, out, err = run(
        "mediators", "--add", "土右旗人民调解委员会", "--kind", "committee", "--phone",
        "0472-8812345", "--db", db_path,
    )  # fmt: skip
    assert code == 0, err
    assert "土右旗人民调解委员会  人民调解委员会" in out
    code, out, err = run(
        "mediate", NO, "--mediator", "土右旗人民调解委员会", "--date", "2026-11-20",
        "--days", "15", "--matters", "给付借款", "--json", "--db", db_path,
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert (data["entrusted_on"], data["ends_on"], data["result"]) == (
        "2026-11-20",
        "2026-12-07",  # 12-05 is a Saturday: rolled to Monday
        None,
    )
    code, out, err = run(
        "mediation-result", NO, "--result", "调解成功", "--date", "2026-11-24", "--db", db_path
    )
    assert code == 0, err
    assert "调解成功（2026-11-24）；请登记和解协议" in out
    code, out, err = run("mediation-stats", "--from", "2026-11-01", "--json", "--db", db_path)
    assert code == 0, err
    [one, total] = json.loads(out)["mediators"]
    assert (one["mediator"], one["settled"], one["success_rate"]) == (
        "土右旗人民调解委员会",
        1,
        "100.0",
    )
    assert total["mediator"] == "合计"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("mediators", "--add", "张律师"), "--add 须同时用 --kind"),
        (("mediators", "--add", "张律师", "--kind", "judge"), "--kind “judge”不正确"),
        (("mediate", NO, "--mediator", "无名氏"), "调解员名单中没有“无名氏”"),
        (("mediate", NO, "--mediator", "委员会", "--days", "0"), "应为1至90日"),
        (("mediate", NO, "--mediator", "委员会", "--date", "2026-13-01"), "--date"),
        (("mediation-result", NO, "--result", "failed"), "没有未结束的委托调解"),
        (("mediation-result", NO, "--result", "maybe"), "--result “maybe”不正确"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    run: Any, case_db: Database, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    code, _, err = run("mediators", "--add", "委员会", "--kind", "committee", "--db", db_path)
    assert code == 0, err
    code, _out, err = run(*args, "--db", db_path)
    assert code == 1
    assert message in one_line_error(err)
    assert _count(case_db, Mediator) == 1 and _count(case_db, Mediation) == 0
