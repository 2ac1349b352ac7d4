"""`zhiqian messages` on a real database file: draft, list, edit, approve, export, read the result
back, reminders; bad input as one line with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.cli.test_cli import one_line_error
from tests.conftest import TODAY
from tests.services.test_messages import case_with_a_promise
from zhiqian_desktop.cli import messages as cli_messages
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, OutboxMessage

NO = "（2026）内0221执前督1号"


@pytest.fixture
def case_db(db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setattr(cli_messages, "CLOCK", Clock.fixed(TODAY))
    case_with_a_promise(db, admin)
    return db


def _count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_whole_round(run: Any, case_db: Database, db_path: Path, tmp_path: Path) -> None:
    code, out, err = run("messages", "draft", NO, "--json", "--db", db_path)
    assert code == 0, err
    [progress] = json.loads(out)
    assert (progress["kind"], progress["phone"], progress["status"]) == (
        "progress", "13800001111", "draft"
    )  # fmt: skip
    code, out, err = run("messages", "remind", "--db", db_path)
    assert code == 0, err
    assert "履行提醒" in out and "13912345678" in out and "2026-11-27" in out
    code, out, err = run("messages", "list", "--status", "草稿", "--json", "--db", db_path)
    assert code == 0, err
    rows = json.loads(out)
    assert {r["kind"] for r in rows} == {"progress", "reminder"}
    reminder = next(r for r in rows if r["kind"] == "reminder")
    code, out, err = run(
        "messages", "edit", reminder["id"][:8], "--text", "请于11月27日前履行。", "--db", db_path
    )
    assert code == 0, err
    code, out, err = run(
        "messages", "approve", progress["id"], reminder["id"][:8], "--json", "--db", db_path
    )
    assert code == 0, err
    assert [r["status"] for r in json.loads(out)] == ["approved", "approved"]
    target = tmp_path / "短信.xlsx"
    code, out, err = run("messages", "export", "-o", target, "--json", "--db", db_path)
    assert code == 0, err
    done = json.loads(out)
    assert (done["batch"], done["count"]) == ("20261125-01", 2)
    result = tmp_path / "结果.csv"
    result.write_text(
        "消息编号,手机号码,发送状态,失败原因\n"
        "20261125-01-001,13800001111,成功,\n"
        "20261125-01-002,13912345678,失败,用户停机\n",
        encoding="utf-8-sig",
    )
    code, out, err = run("messages", "results", result, "--db", db_path)
    assert code == 0, err
    assert out.strip() == "批次20261125-01：已发送1条，发送失败1条；已记入各案督促记录"
    code, out, err = run("messages", "list", "--case", NO, "--db", db_path)
    assert code == 0, err
    assert "已发送" in out and "发送失败（用户停机）" in out


def test_bad_input_is_one_line_and_writes_nothing(
    run: Any, case_db: Database, db_path: Path, tmp_path: Path
) -> None:
    events = _count(case_db, AuditEvent)
    code, _out, err = run("messages", "list", "--status", "排队", "--db", db_path)
    assert code == 1
    assert "--status “排队”不正确；可选：draft 草稿" in one_line_error(err)
    code, _out, err = run("messages", "export", "-o", tmp_path / "o.csv", "--db", db_path)
    assert code == 1
    assert "没有已审核、待导出的短信" in one_line_error(err)
    code, _out, err = run("messages", "approve", "nosuchid1", "--db", db_path)
    assert code == 1
    assert "发件箱中没有编号为“nosuchid1”的短信" in one_line_error(err)
    (tmp_path / "r.csv").write_text("消息编号,手机号码,发送状态\nX-1,13800001111,成功\n")
    code, _out, err = run("messages", "results", tmp_path / "r.csv", "--db", db_path)
    assert code == 1
    assert "第2行的消息编号“X-1”不是本系统导出的短信" in one_line_error(err)
    assert _count(case_db, AuditEvent) == events
    assert _count(case_db, OutboxMessage) == 0
