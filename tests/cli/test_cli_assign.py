"""`zhiqian assign` on a real database file: the proposal, assigning, one case, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.cli.test_cli import one_line_error
from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase


@pytest.fixture
def unassigned(db: Database, admin: Actor) -> Database:
    """Two handlers, one holding a case already, and three open cases without a handler (the
    third a livelihood case)."""
    with db.unit_of_work() as s:
        busy = create_user(s, admin, username="h1", display_name="甲承办", role=Role.HANDLER)
        create_user(s, admin, username="h2", display_name="乙承办", role=Role.HANDLER)
        register_case(s, admin, make_case_input(1, handler_id=busy.id), today=TODAY)
        for n in (2, 3):
            register_case(s, admin, make_case_input(n), today=TODAY)
        register_case(
            s, admin, make_case_input(4, livelihood=True, livelihood_kind="追索劳动报酬"),
            today=TODAY,
        )  # fmt: skip
    return db


def _handlers(db: Database) -> dict[str, str | None]:
    with db.reader() as s:
        cases = s.scalars(select(SupervisionCase)).all()
        return {c.case_no: c.handler.display_name if c.handler else None for c in cases}


def test_dry_run_lists_the_proposal_and_writes_nothing(
    run: Any, unassigned: Database, db_path: Path
) -> None:
    before = _handlers(unassigned)
    code, out, err = run("assign", "--dry-run", "--json", "--db", db_path)
    assert code == 0, err
    data = json.loads(out)
    assert data["assigned"] is False and data["rule_label"] == "按在办案件数均衡"
    assert [(c["case_no"], c["handler"]) for c in data["cases"]] == [
        ("（2026）内0221执前督4号", "乙承办"),  # the livelihood case first, to the idle handler
        ("（2026）内0221执前督2号", "乙承办"),  # tie with 甲 (1 each): 乙 comes first by name
        ("（2026）内0221执前督3号", "甲承办"),
    ]
    loads = {w["handler"]: (w["open_cases"], w["added"]) for w in data["workloads"]}
    assert loads == {"甲承办": (1, 1), "乙承办": (0, 2)}
    assert _handlers(unassigned) == before

    code, out, _ = run("assign", "--dry-run", "--db", db_path)
    assert code == 0
    assert "★（2026）内0221执前督4号  乙承办" in out and "建议分配 3 件" in out
    assert "乙承办  0 件（+2）" in out


def test_assign_gives_every_open_case_a_handler(
    run: Any, unassigned: Database, db_path: Path
) -> None:
    code, out, err = run("assign", "--db", db_path)
    assert code == 0, err
    assert "已分配 3 件" in out
    assert "甲承办  2 件（+1）" in out and "乙承办  2 件（+2）" in out
    assert None not in _handlers(unassigned).values()
    code, out, _ = run("assign", "--db", db_path)
    assert code == 0 and "没有待分配的案件" in out


def test_one_case_is_given_or_taken_back(run: Any, unassigned: Database, db_path: Path) -> None:
    code, out, err = run("assign", "--case", "(2026)内0221执前督2号", "--to", "h1", "--db", db_path)
    assert code == 0, err
    assert out.strip() == "（2026）内0221执前督2号 承办人：甲承办"
    code, out, _ = run(
        "assign", "--case", "（2026）内0221执前督2号", "--to", "无", "--json", "--db", db_path
    )
    assert code == 0 and json.loads(out) == {"case_no": "（2026）内0221执前督2号", "handler": None}
    assert _handlers(unassigned)["（2026）内0221执前督2号"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--case", "（2026）内0221执前督2号", "--to", "丁某"), "没有名为“丁某”的在岗承办人"),
        (("--case", "（2026）内0221执前督99号", "--to", "h1"), "没有案号为"),
        (("--case", "（2026）内0221执前督2号"), "--case 和 --to 须一起使用"),
        (("--dry-run", "--case", "（2026）内0221执前督2号", "--to", "h1"), "--dry-run 不能与"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    run: Any, unassigned: Database, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    before = _handlers(unassigned)
    code, _out, err = run("assign", *args, "--db", db_path)
    assert code == 1
    assert message in one_line_error(err)
    assert _handlers(unassigned) == before
