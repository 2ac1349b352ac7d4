"""The `zhiqian` command line: every command, its JSON contract, exit codes and one-line errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import types
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin.demo import generate_demo
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import DocketQuery, count_cases, register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url

Captured = tuple[int, str, str]


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("zhiqian：错误：")
    return lines[0]


@pytest.fixture
def registered(db: Database, admin: Actor) -> str:
    """The `db` fixture with one known case; returns its case number."""
    with db.unit_of_work() as session:
        case = register_case(session, admin, make_case_input(7), today=TODAY)
        return case.case_no


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An initialised database with 40 demo cases, shared by the read-only tests."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_app_database(sqlite_url(path))
    with db.unit_of_work() as session:
        settings_service.initialize(
            session, settings_service.SetupInput("土默特右旗人民法院", "内0221")
        )
    generate_demo(db, cases=40, seed=5, today=date.today())
    db.dispose()
    yield path


# --- init --------------------------------------------------------------------------------------


def test_init_creates_the_court_and_the_admin(run: Any, db_path: Path) -> None:
    code, out, err = run(
        "init",
        "--court-name",
        "土默特右旗人民法院",
        "--court-code",
        "内0221",
        "--case-word",
        "执前调",
        "--admin-user",
        "zhangsan",
        "--admin-name",
        "张三",
        "--db",
        db_path,
    )
    assert (code, err) == (0, "")
    assert f"（{date.today().year}）内0221执前调1号" in out
    db = open_app_database(sqlite_url(db_path))
    with db.reader() as session:
        settings = settings_service.get_settings(session)
        assert (settings.court_name, settings.court_code, settings.case_word) == (
            "土默特右旗人民法院",
            "内0221",
            "执前调",
        )
        from zhiqian_desktop.services.core.users import default_actor

        assert default_actor(session).username == "zhangsan"
    db.dispose()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--court-code", "X0221"], "法院代字“X0221”格式不正确"),
        (["--court-code", "内0221", "--case-word", "执"], "案件类型代字“执”格式不正确"),
        (["--court-code", "内0221", "--admin-user", "a b"], "用户名“a b”不合格"),
    ],
)
def test_init_with_bad_input_fails_and_writes_nothing(
    run: Any, db_path: Path, args: list[str], expected: str
) -> None:
    code, out, err = run("init", "--court-name", "土默特右旗人民法院", *args, "--db", db_path)
    assert code == 1
    assert out == ""
    assert expected in one_line_error(err)
    assert list(db_path.parent.iterdir()) == []


def test_init_twice_is_refused(run: Any, db: Database, db_path: Path) -> None:
    code, _, err = run(
        "init", "--court-name", "另一法院", "--court-code", "内0222", "--db", db_path
    )
    assert code == 1
    assert "已经初始化过" in one_line_error(err)
    with db.reader() as session:
        assert settings_service.get_settings(session).court_name == "土默特右旗人民法院"


def test_uninitialised_database_says_how_to_init(
    run: Any, empty_db: Database, db_path: Path
) -> None:
    for command in (
        ["cases"],
        ["show", "（2026）内0221执前督1号"],
        ["check"],
        ["demo"],
        ["backup"],
    ):
        code, out, err = run(*command, "--db", db_path)
        assert (code, out) == (1, ""), command
        assert "zhiqian init --court-name" in one_line_error(err)


def test_missing_database_file_is_not_created(run: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    code, _, err = run("cases", "--db", missing)
    assert code == 1
    assert "不存在" in one_line_error(err)
    assert not missing.exists()


def test_db_and_database_url_together_is_an_error(run: Any, db: Database, db_path: Path) -> None:
    code, _, err = run("cases", "--db", db_path, "--database-url", sqlite_url(db_path))
    assert code == 1
    assert "只能指定其一" in one_line_error(err)


# --- cases and show ----------------------------------------------------------------------------


def test_global_options_before_or_after_the_command(
    run: Any, registered: str, db_path: Path
) -> None:
    before = run("--db", db_path, "cases", "--json")
    after = run("cases", "--json", "--db", db_path)
    url = run("cases", "--json", "--database-url", sqlite_url(db_path))
    assert before == after == url
    assert json.loads(before[1])["cases"][0]["case_no"] == registered


def test_cases_json(run: Any, registered: str, db_path: Path) -> None:
    code, out, err = run("cases", "--json", "--db", db_path)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["total"], data["count"]) == (1, 1)
    row = data["cases"][0]
    assert row["case_no"] == registered == "（2026）内0221执前督1号"
    assert row["original_case_no"] == "（2026）内0221民初7号"
    assert row["obligors"] == "王某某"
    assert (row["amount_due"], row["amount_paid"]) == ("12345.67", "0.00")
    assert (row["status"], row["status_label"]) == ("registered", "已收案")
    assert row["cause"] == "民间借贷纠纷"


def test_cases_filters_and_limit(run: Any, demo_db: Path) -> None:
    everything = json.loads(run("cases", "--json", "--limit", "0", "--db", demo_db)[1])
    assert everything["total"] == everything["count"] == 40
    by_status: dict[str, int] = {}
    for row in everything["cases"]:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1

    code, out, _ = run("cases", "--json", "--status", "performed,督促中", "--db", demo_db)
    assert code == 0
    rows = json.loads(out)["cases"]
    assert {r["status"] for r in rows} == {"performed", "supervising"}
    assert len(rows) == by_status["performed"] + by_status["supervising"]

    limited = json.loads(run("cases", "--json", "--limit", "5", "--db", demo_db)[1])
    assert (limited["total"], limited["count"]) == (40, 5)

    handler = everything["cases"][0]["handler"]
    mine = json.loads(
        run("cases", "--json", "--limit", "0", "--handler", handler, "--db", demo_db)[1]
    )
    assert mine["count"] == sum(1 for r in everything["cases"] if r["handler"] == handler)
    assert {r["handler"] for r in mine["cases"]} == {handler}

    obligor = everything["cases"][3]["obligors"].split("、")[0]
    found = json.loads(run("cases", "--json", "--search", obligor, "--db", demo_db)[1])
    assert everything["cases"][3]["case_no"] in {r["case_no"] for r in found["cases"]}


def test_cases_table_for_people(run: Any, registered: str, db_path: Path) -> None:
    code, out, _ = run("cases", "--db", db_path)
    assert code == 0
    header, rule, row, *_ = out.splitlines()
    assert header.split()[:3] == ["案号", "案由", "被申请人"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert registered in row and "12,345.67" in row and "已收案" in row
    assert "共 1 件" in out


def test_cases_bad_filters_are_one_line_errors(run: Any, registered: str, db_path: Path) -> None:
    code, _, err = run("cases", "--status", "办结", "--db", db_path)
    assert code == 1
    assert "案件状态“办结”无法识别" in one_line_error(err)
    code, _, err = run("cases", "--handler", "nobody", "--db", db_path)
    assert code == 1
    assert "没有承办人“nobody”" in one_line_error(err)


def test_show_json(run: Any, registered: str, db_path: Path) -> None:
    # typed with half-width parentheses, as clerks often do
    code, out, err = run("show", "(2026)内0221执前督1号", "--json", "--db", db_path)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["case_no"] == registered
    assert (data["status"], data["status_label"]) == ("registered", "已收案")
    assert (data["amount_due"], data["amount_paid"], data["amount_outstanding"]) == (
        "12345.67",
        "0.00",
        "12345.67",
    )
    assert (data["received_date"], data["effective_date"]) == ("2026-11-20", "2026-11-01")
    assert [(p["role"], p["role_label"], p["name"]) for p in data["parties"]] == [
        ("applicant", "申请人", "李某"),
        ("obligor", "被申请人", "王某某"),
    ]
    assert data["parties"][1]["phones"] == ["13912345678"]


def test_show_for_people(run: Any, registered: str, db_path: Path) -> None:
    code, out, _ = run("show", registered, "--db", db_path)
    assert code == 0
    assert "原审案号" in out and "（2026）内0221民初7号" in out
    assert "12,345.67 元" in out
    assert "王某某" in out and "13912345678" in out


@pytest.mark.parametrize(
    ("case_no", "expected"),
    [
        ("（2026）内0221执前督99号", "没有案号为“（2026）内0221执前督99号”的案件"),
        ("2026-99", "案号“2026-99”格式不正确"),
    ],
)
def test_show_unknown_case_is_one_line(
    run: Any, registered: str, db_path: Path, case_no: str, expected: str
) -> None:
    code, out, err = run("show", case_no, "--json", "--db", db_path)
    assert (code, out) == (1, "")
    assert expected in one_line_error(err)


# --- deadline ----------------------------------------------------------------------------------


def test_deadline_rolls_past_the_national_day_holiday(
    run: Any, db: Database, db_path: Path
) -> None:
    code, out, err = run("deadline", "2025-09-16", "--days", "15", "--json", "--db", db_path)
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "start": "2025-09-16",
        "days": 15,
        "end": "2025-10-09",
        "rolled_from": "2025-10-01",
        "calendar_complete": True,
    }
    code, out, _ = run("deadline", "2025年9月16日", "--days", "15", "--db", db_path)
    assert code == 0
    assert "2025-10-09" in out and "顺延" in out


def test_deadline_not_rolled_and_year_without_calendar(
    run: Any, db: Database, db_path: Path
) -> None:
    plain = json.loads(run("deadline", "2025/3/3", "--days", "3", "--json", "--db", db_path)[1])
    assert plain == {
        "start": "2025-03-03",
        "days": 3,
        "end": "2025-03-06",
        "rolled_from": None,
        "calendar_complete": True,
    }
    code, out, _ = run("deadline", "2030-03-01", "--days", "15", "--json", "--db", db_path)
    assert code == 0
    assert json.loads(out)["calendar_complete"] is False
    code, out, _ = run("deadline", "2030-03-01", "--days", "15", "--db", db_path)
    assert "人工核对" in out


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2025-13-01", "15", "起算日“2025-13-01”不是有效日期"),
        ("16.9.2025", "15", "起算日“16.9.2025”格式不正确"),
        ("2025-09-16", "0", "期间天数“0”不正确"),
    ],
)
def test_deadline_bad_input(
    run: Any, db: Database, db_path: Path, start: str, days: str, expected: str
) -> None:
    code, out, err = run("deadline", start, "--days", days, "--db", db_path)
    assert (code, out) == (1, "")
    assert expected in one_line_error(err)


def test_usage_errors_exit_2(run: Any, db: Database, db_path: Path) -> None:
    assert run("deadline", "2025-09-16", "--days", "x", "--db", db_path)[0] == 2
    assert run("deadline", "2025-09-16", "--db", db_path)[0] == 2
    code, _, err = run("frobnicate")
    assert code == 2
    assert "用法错误" in err
    assert run("--help")[0] == 0


# --- check, backup, restore --------------------------------------------------------------------


def test_check_good_database(run: Any, registered: str, db_path: Path) -> None:
    code, out, err = run("check", "--db", db_path)
    assert (code, err) == (0, "")
    assert "完整性检查：正常" in out
    assert "完整" in out.splitlines()[-1] and "审计记录：" in out


def test_check_finds_a_tampered_audit_event(
    run: Any, registered: str, db: Database, db_path: Path
) -> None:
    db.dispose()
    conn = sqlite3.connect(db_path)
    with conn:
        seq = conn.execute(
            "SELECT seq FROM audit_event WHERE entity = 'case' ORDER BY seq LIMIT 1"
        ).fetchone()[0]
        conn.execute("UPDATE audit_event SET actor = 'mallory' WHERE seq = ?", (seq,))
    conn.close()
    code, out, err = run("check", "--db", db_path)
    assert code == 1
    assert f"第 {seq} 号" in out
    line = one_line_error(err)
    assert f"审计记录第 {seq} 号" in line and "内容被改动" in line


def test_backup_then_restore_round_trip(
    run: Any, registered: str, db: Database, admin: Actor, db_path: Path, tmp_path: Path
) -> None:
    code, out, err = run("backup", "-o", tmp_path / "saved" / "copy.db", "--db", db_path)
    assert (code, err) == (0, "")
    backup = tmp_path / "saved" / "copy.db"
    assert out.strip() == f"已备份到：{backup}"
    assert backup.exists()

    with db.unit_of_work() as session:  # a change made after the backup
        register_case(session, admin, make_case_input(8), today=TODAY)
    db.dispose()

    code, out, err = run("restore", backup, "--db", db_path)
    assert (code, err) == (0, "")
    safety = Path(out.strip().splitlines()[-1].split("：", 1)[1])
    assert safety.exists() and safety.parent == db_path.parent / "backups"

    restored = json.loads(run("cases", "--json", "--db", db_path)[1])
    assert [r["case_no"] for r in restored["cases"]] == [registered]
    before = json.loads(run("cases", "--json", "--db", safety)[1])
    assert before["total"] == 2  # the state before the restore is kept
    assert run("check", "--db", db_path)[0] == 0


def test_backup_into_a_folder(run: Any, registered: str, db_path: Path, tmp_path: Path) -> None:
    code, out, _ = run("backup", "-o", f"{tmp_path / 'folder'}/", "--db", db_path)
    assert code == 0
    made = Path(out.strip().split("：", 1)[1])
    assert made.parent == tmp_path / "folder" and made.suffix == ".db"


def test_restore_missing_file(run: Any, registered: str, db_path: Path, tmp_path: Path) -> None:
    code, out, err = run("restore", tmp_path / "nope.db", "--db", db_path)
    assert (code, out) == (1, "")
    assert "备份文件" in one_line_error(err)


# --- demo and gui ------------------------------------------------------------------------------


def test_demo_command_adds_cases(run: Any, db: Database, db_path: Path) -> None:
    code, out, err = run("demo", "--cases", "12", "--seed", "3", "--db", db_path)
    assert (code, err) == (0, "")
    assert "添加演示案件 12 件" in out
    with db.reader() as session:
        assert count_cases(session, DocketQuery()) == 12
    code, _, err = run("demo", "--cases", "0", "--db", db_path)
    assert code == 1
    assert "--cases" in one_line_error(err)


@pytest.fixture
def fake_gui(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    calls: list[tuple[str, bool]] = []
    module = types.ModuleType("zhiqian_desktop.gui.app")

    def fake_run(url: str, demo: bool) -> int:
        calls.append((url, demo))
        return 0

    module.run = fake_run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "zhiqian_desktop.gui.app", module)
    import zhiqian_desktop.gui as gui_package

    monkeypatch.setattr(gui_package, "app", module, raising=False)
    return calls


def test_no_command_starts_the_gui(
    run: Any, fake_gui: list[tuple[str, bool]], db_path: Path
) -> None:
    assert run("--db", db_path)[0] == 0
    assert run("gui", "--demo")[0] == 0
    assert run("--demo")[0] == 0
    assert fake_gui[0] == (sqlite_url(db_path), False)
    assert fake_gui[1][1] is True and fake_gui[2][1] is True


def test_gui_that_cannot_be_imported_is_one_line(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import zhiqian_desktop.gui

    monkeypatch.setitem(sys.modules, "zhiqian_desktop.gui.app", None)  # import raises ImportError
    # `from zhiqian_desktop.gui import app` finds an attribute left by an earlier import first.
    monkeypatch.delattr(zhiqian_desktop.gui, "app", raising=False)
    code, _, err = run("gui")
    assert code == 1
    assert "桌面程序无法启动" in one_line_error(err)


def test_demo_flag_only_for_the_gui(run: Any) -> None:
    code, _, err = run("--demo", "cases")
    assert code == 2
    assert "--demo" in err


# --- as a separate process ---------------------------------------------------------------------


def cli(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zhiqian_desktop.cli", *map(str, argv)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_process_exit_codes_and_no_traceback(registered: str, db_path: Path) -> None:
    ok = cli("show", registered, "--json", "--db", db_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["case_no"] == registered

    failed = cli("deadline", "2025-02-30", "--days", "15", "--db", db_path)
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert "起算日“2025-02-30”不是有效日期" in one_line_error(failed.stderr)

    usage = cli("deadline", "2025-09-16", "--days", "many", "--db", db_path)
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_process_json_pipes_cleanly_into_head(demo_db: Path) -> None:
    # `zhiqian cases --json | head` must not end with a BrokenPipeError traceback.
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zhiqian_desktop.cli",
            "cases",
            "--json",
            "--limit",
            "0",
            "--db",
            str(demo_db),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as producer:
        assert producer.stdout is not None and producer.stderr is not None
        producer.stdout.read(200)
        producer.stdout.close()
        err = producer.stderr.read().decode("utf-8")
        producer.wait(timeout=60)
    assert "Traceback" not in err


def test_all_statuses_listed_by_demo(run: Any, demo_db: Path) -> None:
    rows = json.loads(run("cases", "--json", "--limit", "0", "--db", demo_db)[1])["cases"]
    assert {r["status"] for r in rows} >= {s.value for s in CaseStatus} - {"archived"}


def test_a_desks_old_template_file_is_taken_into_the_database_by_the_first_command(
    run: Any, registered: str, db_path: Path, tmp_path: Path
) -> None:
    from tests.printing.helpers import flat, pdf_text
    from zhiqian_desktop.domain.kinds import DocumentKind
    from zhiqian_desktop.services.supervision import templates as document_templates

    folder = document_templates.legacy_templates_dir()
    folder.mkdir(parents=True)
    own = document_templates.default_text(DocumentKind.URGING).replace(
        "特此催告。", "特此催告（本院旧文件）。"
    )
    (folder / "urging.toml").write_text(own, encoding="utf-8")
    output = tmp_path / "催告书.pdf"
    code, _out, err = run("notice", registered, "--kind", "urging", "-o", output, "--db", db_path)
    assert (code, err) == (0, "")
    assert "特此催告（本院旧文件）。" in flat(pdf_text(output.read_bytes(), tmp_path))
    assert sorted(p.name for p in folder.iterdir()) == ["urging.toml.imported"]
    db = open_app_database(sqlite_url(db_path))
    try:
        with db.reader() as s:
            assert document_templates.court_text(s, DocumentKind.URGING) == own
    finally:
        db.dispose()


def test_serve_records_each_addressee_apart(
    run: Any, registered: str, db_path: Path, tmp_path: Path
) -> None:
    """`zhiqian serve`: the risk notice goes to both parties, each recorded on its own line."""
    code, out, err = run(
        "notice", registered, "--kind", "risk_notice", "-o", tmp_path / "r.pdf",
        "--date", TODAY.isoformat(), "--json", "--db", db_path,
    )  # fmt: skip
    assert (code, err) == (0, "")
    doc_no = json.loads(out)["doc_no"]
    day = TODAY.isoformat()

    def serve(*extra: str) -> Captured:
        result: Captured = run(
            "serve", doc_no, "--date", day, "--server", "张三", *extra, "--db", db_path
        )
        return result

    code, _out, err = serve()
    assert code == 1 and "有2名受送达人" in one_line_error(err) and "李某、王某某" in err
    code, out, err = serve("--to", "李某")
    assert (code, err) == (0, "")
    assert out.strip() == f"已登记{doc_no}向李某的送达（直接送达，{day}）；尚待送达：王某某"
    code, _out, err = serve("--to", "李某")
    assert code == 1 and "向李某登记过送达" in one_line_error(err)
    code, _out, err = serve("--to", "赵某")
    assert code == 1 and "“赵某”不是" in one_line_error(err)
    code, _out, err = serve("--to", "王某某", "--method", "邮递")
    assert code == 1 and "送达方式“邮递”无法识别" in one_line_error(err)
    code, _out, err = serve("--to", "王某某", "--method", "leaving", "--reason", "拒收")
    assert code == 1 and "见证人" in one_line_error(err)
    code, out, err = serve(
        "--to", "王某某", "--method", "leaving", "--reason", "拒收", "--recorded", "--json"
    )
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["addressee"] == "王某某" and result["waiting"] == []
    assert result["method"] == "leaving" and result["served_on"] == day
