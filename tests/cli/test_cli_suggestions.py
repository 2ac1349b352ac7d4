"""司法建议 on the command line, on a real database file: groups, drafting from an obligor's
cases, signing, sending, the reply, printing, the list as JSON, and bad input as one line with
nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.cli.test_cli import one_line_error
from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.cli import suggestions as cli_suggestions
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, Suggestion, SuggestionCase

INSURER = "某财产保险公司"


@pytest.fixture
def case_db(db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setattr(cli_suggestions, "CLOCK", Clock.fixed(TODAY))
    with db.unit_of_work() as s:
        for n in range(1, 7):
            data = make_case_input(n, obligor=INSURER if n <= 5 else "王某某", amount="200")
            register_case(s, admin, data, today=TODAY)
    return db


def _count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_whole_round(run: Any, case_db: Database, db_path: Path, tmp_path: Path) -> None:
    code, out, err = run("suggestion", "groups", "--db", db_path)
    assert code == 0, err
    assert INSURER in out and "1,000.00" in out and "王某某" not in out
    code, out, err = run(
        "suggestion", "draft", "--to", "某财产保险公司某某中心支公司", "--kind", "insurer",
        "--obligor", INSURER, "--proposal", "建立诉前理赔沟通机制。", "--json", "--db", db_path,
    )  # fmt: skip
    assert code == 0, err
    draft = json.loads(out)
    assert (draft["status"], draft["cases"], draft["doc_no"]) == ("draft", 5, None)
    assert draft["problem"].endswith(
        f"本院执行前督促收案中以{INSURER}为被申请人的案件共5件，尚未履行金额合计1,000.00元。"
    )
    ref = draft["id"][:8]
    code, out, err = run("suggestion", "sign", ref, "--db", db_path)
    assert code == 0, err
    assert "已签发：（2026）内0221司建1号" in out
    code, out, err = run("suggestion", "sent", "(2026)内0221司建1号", "--date", "2026-11-25",
                         "--db", db_path)  # fmt: skip
    assert code == 0, err
    assert "请被建议单位在2个月内回复，2027-01-25届满" in out
    pdf = tmp_path / "建议.pdf"
    code, out, err = run("suggestion", "print", ref, "-o", pdf, "--db", db_path)
    assert code == 0, err
    assert "司法建议书" in "".join(pdf_text(pdf.read_bytes()).split())
    code, out, err = run("suggestion", "list", "--json", "--db", db_path)
    [row] = json.loads(out)
    assert (row["doc_no"], row["reply_due"], row["overdue"]) == (
        "（2026）内0221司建1号",
        "2027-01-25",
        False,
    )
    code, out, err = run("due", "--date", "2027-01-26", "--db", db_path)
    assert code == 0, err
    assert (
        "【司法建议逾期未回复】\n  （2026）内0221司建1号  致某财产保险公司某某中心支公司  2027-01-25届满"
        in out
    )
    code, out, err = run("suggestion", "list", "--overdue", "--json", "--db", db_path)
    assert json.loads(out) == []  # not overdue on the command line's day, 2026-11-25
    code, out, err = run(
        "suggestion", "reply", ref, "--summary", "已采纳", "--date", "2026-11-25", "--db", db_path
    )
    assert code == 0, err
    code, out, err = run("suggestion", "show", ref, "--db", db_path)
    assert code == 0, err
    assert "已回复" in out and "回复：2026-11-25 已采纳" in out and "所涉案件（5件）" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("draft", "--kind", "insurer", "--obligor", INSURER, "--proposal", "x"), "须写明 --to"),
        (("draft", "--to", "x", "--kind", "bank", "--obligor", INSURER, "--proposal", "x"),
         "--kind “bank”不正确"),
        (("draft", "--to", "x", "--kind", "insurer", "--proposal", "x"), "--obligor、--cause 或 --cases"),
        (("draft", "--to", "x", "--kind", "insurer", "--obligor", "无此人", "--proposal", "x"),
         "没有被申请人为“无此人”的案件"),
        (("draft", "--to", "x", "--kind", "insurer", "--cases", "（2026）内0221执前督99号",
          "--proposal", "x"), "99号"),
        (("sign",), "须写明司法建议编号"),
        (("sign", "（2026）内0221司建7号"), "没有编号或标识为"),
        (("groups", "--by", "court"), "--by “court”不正确"),
        (("groups", "--min", "1"), "应为2至100件"),
        (("list", "--status", "lost"), "--status “lost”不正确"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(
    run: Any, case_db: Database, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    events = _count(case_db, AuditEvent)
    code, _out, err = run("suggestion", *args, "--db", db_path)
    assert code == 1, err
    assert message in one_line_error(err)
    assert _count(case_db, Suggestion) == 0 and _count(case_db, SuggestionCase) == 0
    assert _count(case_db, AuditEvent) == events
