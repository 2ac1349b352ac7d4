"""短信发件箱 at the service level: drafting progress reports and reminders (once), editing,
approving, exporting CSV and xlsx, reading the platform's result back onto the case's log, who
may do what, and bad input writing nothing."""

from __future__ import annotations

import csv
import os
import stat
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.dues import DueKind
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import (
    ContactKind,
    MessageKind,
    MessageStatus,
    PaymentMethod,
    Role,
)
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.closing.outcomes import record_payment, record_settlement
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings, update_settings
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import message_files, messages
from zhiqian_desktop.services.supervision.case_view import readable_history
from zhiqian_desktop.services.supervision.contacts import ContactInput, list_contacts, log_contact
from zhiqian_desktop.services.supervision.dues import due_list
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import (
    AuditEvent,
    ContactLog,
    OfflineKit,
    OutboxMessage,
    SupervisionCase,
)

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def _register(
    db: Database,
    actor: Actor,
    n: int,
    *,
    applicant_phones: str | None = "0472-8123456 13800001111",
    obligor_phone: str | None = "139-1234-5678",
) -> str:
    data = make_case_input(n, phone=obligor_phone)
    data.parties[0].phones = applicant_phones
    with db.unit_of_work() as s:
        return register_case(s, actor, data, today=TODAY).id


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    return _register(db, admin, 1)


def _settle(db: Database, actor: Actor, case_id: str) -> None:
    record_settlement(
        db,
        actor,
        case_id,
        signed_on=date(2026, 11, 21),
        terms="分两期履行",
        default_clause=None,
        guarantee=None,
        installments=[
            (date(2026, 11, 27), Decimal("6000.00")),
            (date(2026, 12, 27), Decimal("6345.67")),
        ],
        today=TODAY,
    )


def _promise(
    db: Database,
    actor: Actor,
    case_id: str,
    on: date = date(2026, 11, 26),
    amount: Decimal = Decimal("2000.00"),
) -> None:
    log_contact(
        db,
        actor,
        case_id,
        ContactInput(
            kind=ContactKind.PHONE,
            contacted_at=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
            reached=True,
            summary="答应近日付款",
            promise_amount=amount,
            promise_date=on,
        ),
        now=NOW,
    )


def case_with_a_promise(db: Database, admin: Actor) -> str:
    """One case (the command line's and the desktop's tests use it too): the applicant's mobile
    13800001111, the obligor's 13912345678, who promised on 2026-11-24 to pay 3,000.00 by
    2026-11-27."""
    case_id = _register(db, admin, 1, applicant_phones="13800001111")
    _promise(db, admin, case_id, on=date(2026, 11, 27), amount=Decimal("3000.00"))
    return case_id


def _count(db: Database, model: type = OutboxMessage) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _handler(db: Database, admin: Actor, name: str = "wang") -> Actor:
    with db.unit_of_work() as s:
        user = create_user(
            s,
            admin,
            username=name,
            display_name=f"{name}法官",
            role=Role.HANDLER,
            password="Passw0rd!x",
        )
        return actor_for(user)


# --- drafting -------------------------------------------------------------------------------------


def test_a_progress_report_to_the_applicants_mobile(
    db: Database, admin: Actor, case_id: str
) -> None:
    _promise(db, admin, case_id)
    [row] = messages.draft_progress(db, admin, case_id, today=TODAY)
    assert (row.kind, row.name, row.phone, row.status) == (
        MessageKind.PROGRESS,
        "李某",
        "13800001111",
        MessageStatus.DRAFT,
    )
    assert row.for_date == TODAY
    assert row.text.startswith("【")
    assert "李某：您与王某某民间借贷纠纷一案已于2026年11月20日立案督促" in row.text
    assert (
        "本院已联系被申请人1次（接通或见面1次），其承诺于2026年11月26日前履行2,000.00元。"
        in row.text
    )
    assert "截至2026年11月25日已履行0.00元，尚欠12,345.67元。" in row.text
    assert "催告书" not in row.text  # none issued: nothing said about one
    with pytest.raises(UserError, match="已有尚未发送的进展回告短信"):
        messages.draft_progress(db, admin, case_id, today=TODAY)
    assert _count(db) == 1


def test_a_settled_cases_progress_tells_the_settlement(
    db: Database, admin: Actor, case_id: str
) -> None:
    _settle(db, admin, case_id)
    [row] = messages.draft_progress(db, admin, case_id, today=TODAY)
    assert "双方已于2026年11月21日达成和解协议。" in row.text


def test_an_applicant_with_a_landline_only_is_told_why(db: Database, admin: Actor) -> None:
    case_id = _register(db, admin, 2, applicant_phones="0472-8123456")
    with pytest.raises(UserError, match="申请人李某的号码“0472-8123456”是固定电话，不能接收短信"):
        messages.draft_progress(db, admin, case_id, today=TODAY)
    case_id = _register(db, admin, 3, applicant_phones=None)
    with pytest.raises(UserError, match="申请人李某没有手机号码"):
        messages.draft_progress(db, admin, case_id, today=TODAY)
    assert _count(db) == 0


def test_reminders_for_an_instalment_and_a_promise_drafted_once(
    db: Database, admin: Actor, case_id: str
) -> None:
    other = _register(db, admin, 2)
    _promise(db, admin, other)
    _settle(db, admin, case_id)
    run = messages.draft_reminders(db, admin, today=TODAY)
    assert sorted((r.case_id == case_id, r.for_date, r.phone) for r in run.drafted) == [
        (False, date(2026, 11, 26), "13912345678"),
        (True, date(2026, 11, 27), "13912345678"),
    ]
    texts = {r.case_id: r.text for r in run.drafted}
    assert "按和解协议，您应于2026年11月27日前履行第1期6,000.00元，请按期履行。" in texts[case_id]
    assert "您于2026年11月24日承诺于2026年11月26日前履行2,000.00元" in texts[other]
    assert run.skipped == []
    again = messages.draft_reminders(db, admin, today=date(2026, 11, 26))
    assert again.drafted == [] and _count(db) == 2
    # Discarded, it stays discarded: the same payment is not drafted again.
    messages.discard_message(db, admin, run.drafted[0].id)
    assert messages.draft_reminders(db, admin, today=TODAY).drafted == []


def test_a_reminder_needs_the_payment_unpaid_and_within_the_lead_days(
    db: Database, admin: Actor, case_id: str
) -> None:
    _settle(db, admin, case_id)
    with db.reader() as s:
        version = get_settings(s).version
    update_settings(db, admin, version, reminder_lead_days=1)
    assert messages.draft_reminders(db, admin, today=TODAY).drafted == []
    record_payment(
        db,
        admin,
        case_id,
        paid_on=TODAY,
        amount=Decimal("6000.00"),
        method=PaymentMethod.TO_APPLICANT,
        payer="王某某",
        today=TODAY,
    )
    assert messages.draft_reminders(db, admin, today=date(2026, 11, 26)).drafted == []


def test_an_obligor_without_a_mobile_is_skipped_and_named(db: Database, admin: Actor) -> None:
    case_id = _register(db, admin, 2, obligor_phone="0472-5551234")
    _promise(db, admin, case_id)
    run = messages.draft_reminders(db, admin, today=TODAY)
    assert run.drafted == []
    assert run.skipped == [
        "案件（2026）内0221执前督1号：被申请人王某某的号码“0472-5551234”是固定电话，"
        "不能接收短信；请填写1开头的11位手机号码"
    ]


def test_a_reminder_sms_does_not_hide_the_promise_from_the_due_list(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    _promise(db, admin, case_id)
    [row] = messages.draft_reminders(db, admin, today=TODAY).drafted
    messages.approve_messages(db, admin, [row.id])
    done = message_files.export_messages(db, admin, tmp_path / "o.csv", fmt="csv", today=TODAY)
    result = tmp_path / "r.csv"
    result.write_text(f"消息编号,手机号码,发送状态\n{done.batch}-001,13912345678,成功\n")
    message_files.read_results(db, admin, result, now=NOW)
    items = due_list(db, date(2026, 11, 26))
    assert DueKind.PROMISE in {i.kind for i in items if i.case_id == case_id}


# --- edit, approve, export, results --------------------------------------------------------------


def _approved(db: Database, actor: Actor, case_id: str) -> str:
    [row] = messages.draft_progress(db, actor, case_id, today=TODAY)
    messages.approve_messages(db, actor, [row.id], now=NOW)
    return row.id


def test_editing_sends_an_approved_message_back_to_draft(
    db: Database, admin: Actor, case_id: str
) -> None:
    message_id = _approved(db, admin, case_id)
    row = messages.find_message(db, message_id[:8])
    assert (row.status, row.approved_by) == (MessageStatus.APPROVED, admin.display_name)
    edited = messages.edit_message(
        db,
        admin,
        message_id,
        text=" 您好，案件正在督促中。\r\n",
        phone="+86 138 0000 2222",
        expected_version=row.version,
    )
    assert (edited.text, edited.phone, edited.status, edited.approved_by) == (
        "您好，案件正在督促中。",
        "13800002222",
        MessageStatus.DRAFT,
        "",
    )
    with pytest.raises(UserError, match="已被他人修改"):
        messages.edit_message(db, admin, message_id, text="x", expected_version=row.version)
    with pytest.raises(UserError, match="是固定电话"):
        messages.edit_message(db, admin, message_id, text="x", phone="0472-8123456")
    with pytest.raises(UserError, match="短信内容为空"):
        messages.edit_message(db, admin, message_id, text="  ")
    assert messages.find_message(db, message_id).text == "您好，案件正在督促中。"


def test_export_csv_then_read_the_results_back_onto_the_case(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    second = _register(db, admin, 2, applicant_phones="13800003333")
    first_id, second_id = _approved(db, admin, case_id), _approved(db, admin, second)
    messages.draft_progress(db, admin, _register(db, admin, 3), today=TODAY)  # a draft stays
    out = tmp_path / "短信.csv"
    done = message_files.export_messages(db, admin, out, fmt="csv", today=TODAY, now=NOW)
    assert (done.batch, done.count) == ("20261125-01", 2)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["手机号码", "姓名", "短信内容", "消息编号"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ("13800001111", "李某", "20261125-01-001"),
        ("13800003333", "李某", "20261125-01-002"),
    ]
    assert rows[1][2] == messages.find_message(db, first_id).text
    with pytest.raises(UserError, match="没有已审核、待导出的短信"):
        message_files.export_messages(db, admin, tmp_path / "again.csv", fmt="csv", today=TODAY)
    with pytest.raises(UserError, match="已导出，正等待短信平台的发送结果，不能修改"):
        messages.edit_message(db, admin, first_id, text="改")

    result = tmp_path / "结果.csv"
    result.write_text(
        "消息编号,手机号码,发送状态,失败原因\n"
        "20261125-01-001,13800001111,成功,\n"
        "20261125-01-002,138-0000-3333,失败,空号\n",
        encoding="gbk",
    )
    read = message_files.read_results(db, admin, result, now=NOW)
    assert (read.batch, read.sent, read.failed) == ("20261125-01", 1, 1)
    sent, failed = messages.find_message(db, first_id), messages.find_message(db, second_id)
    assert (sent.status, failed.status, failed.result_note) == (
        MessageStatus.SENT,
        MessageStatus.FAILED,
        "空号",
    )
    [logged] = list_contacts(db, case_id)
    assert (logged.kind, logged.reached, logged.number_or_place) == (
        ContactKind.APPLICANT_NOTICE,
        True,
        "13800001111",
    )
    assert logged.summary.startswith("短信已发送，编号20261125-01-001：【")
    [logged] = list_contacts(db, second)
    assert not logged.reached
    assert logged.summary.startswith("短信发送失败（空号），编号20261125-01-002：")
    # Read twice: refused, nothing changes.
    with pytest.raises(UserError, match="第2行的短信20261125-01-001已发送，不在等待发送结果"):
        message_files.read_results(db, admin, result, now=NOW)
    with pytest.raises(UserError, match="已发送，不能修改"):
        messages.edit_message(db, admin, first_id, text="改")
    # A failed one may be corrected and sent again in a new batch.
    messages.edit_message(db, admin, second_id, text="您好。", phone="13800004444")
    messages.approve_messages(db, admin, [second_id])
    again = message_files.export_messages(db, admin, tmp_path / "2.xlsx", fmt="xlsx", today=TODAY)
    assert (again.batch, again.count) == ("20261125-02", 1)
    sheet = openpyxl.load_workbook(tmp_path / "2.xlsx").worksheets[0]
    assert [c.value for c in sheet[2]] == ["13800004444", "李某", "您好。", "20261125-02-001"]
    assert stat.S_IMODE(os.stat(tmp_path / "2.xlsx").st_mode) == 0o600


def test_an_xlsx_result_file(db: Database, admin: Actor, case_id: str, tmp_path: Path) -> None:
    message_id = _approved(db, admin, case_id)
    done = message_files.export_messages(db, admin, tmp_path / "o.xlsx", fmt="xlsx", today=TODAY)
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "号码", "状态", "备注", "编号"])
    wb.active.append([1, 13800001111.0, "发送成功", None, f"{done.batch}-001"])
    wb.save(tmp_path / "r.xlsx")
    assert message_files.read_results(db, admin, tmp_path / "r.xlsx", now=NOW).sent == 1
    assert messages.find_message(db, message_id).status is MessageStatus.SENT


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "消息编号,手机号码,发送状态\n20261125-01-001,13800001112,成功\n",
            "第2行的手机号码“13800001112”与导出时的号码不同",
        ),
        (
            "消息编号,手机号码,发送状态\n20261125-01-001,0472-8123456,成功\n",
            "第2行的手机号码“0472-8123456”与导出时的号码不同",
        ),
        (
            "消息编号,手机号码,发送状态\n20261125-01-001,13800001111,成功\n20261125-09-001,13800001111,成功\n",
            "第3行的消息编号“20261125-09-001”不是本系统导出的短信",
        ),
        (
            "消息编号,手机号码,发送状态\n20261125-01-001,13800001111,排队中\n",
            "第2行的发送状态“排队中”无法识别",
        ),
        ("编号,内容\n1,2\n", "第1行缺少“手机号码”“发送状态”列"),
        ("消息编号,手机号码,发送状态\n", "中没有结果行"),
        ("", "文件是空的"),
    ],
)
def test_a_result_file_that_does_not_match_writes_nothing(
    db: Database, admin: Actor, case_id: str, tmp_path: Path, content: str, message: str
) -> None:
    _approved(db, admin, case_id)
    message_files.export_messages(db, admin, tmp_path / "o.csv", fmt="csv", today=TODAY)
    result = tmp_path / "r.csv"
    result.write_text(content, encoding="utf-8")
    events, logs = _count(db, AuditEvent), _count(db, ContactLog)
    with pytest.raises(UserError, match=message):
        message_files.read_results(db, admin, result, now=NOW)
    assert (_count(db, AuditEvent), _count(db, ContactLog)) == (events, logs)
    assert messages.outbox(db, status=MessageStatus.EXPORTED) != []


def test_result_files_that_are_not_tables(db: Database, admin: Actor, tmp_path: Path) -> None:
    for name, data, message in (
        ("r.txt", b"x", "只能读取 .csv 或 .xlsx 文件"),
        ("r.xlsx", b"not a zip", r"这不是 Excel 工作簿（\.xlsx）；请选择短信平台导出的结果文件"),
        ("r.xlsx", b"", "文件是空的"),
    ):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(UserError, match=message) as info:
            message_files.read_results(db, admin, tmp_path / name)
        assert "未登记任何结果" in info.value.message
    with pytest.raises(UserError, match="找不到结果文件"):
        message_files.read_results(db, admin, tmp_path / "none.csv")
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(UserError, match="这不是一个文件（是文件夹、设备或管道）"):
        message_files.read_results(db, admin, tmp_path / "folder.csv")


def test_export_refuses_a_bad_format_or_place_and_marks_nothing(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    message_id = _approved(db, admin, case_id)
    with pytest.raises(UserError, match="导出格式“pdf”不支持"):
        message_files.export_messages(db, admin, tmp_path / "o.pdf", fmt="pdf", today=TODAY)
    (tmp_path / "exists.csv").write_text("x")
    with pytest.raises(UserError, match="已存在"):
        message_files.export_messages(db, admin, tmp_path / "exists.csv", fmt="csv", today=TODAY)
    with pytest.raises(UserError, match="不存在或不是文件夹"):
        message_files.export_messages(db, admin, tmp_path / "no" / "o.csv", fmt="csv", today=TODAY)
    assert messages.find_message(db, message_id).status is MessageStatus.APPROVED


def test_formula_like_text_is_kept_as_text(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    [row] = messages.draft_progress(db, admin, case_id, today=TODAY)
    messages.edit_message(db, admin, row.id, text='=HYPERLINK("x")')
    messages.approve_messages(db, admin, [row.id])
    message_files.export_messages(db, admin, tmp_path / "o.csv", fmt="csv", today=TODAY)
    text = (tmp_path / "o.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text


# --- who may do what ----------------------------------------------------------------------------


def test_handlers_work_on_their_own_cases_messages(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    wang, li = _handler(db, admin, "wang"), _handler(db, admin, "li")
    with db.unit_of_work() as s:
        for n, user in ((1, wang), (2, li)):
            data = make_case_input(n)
            data.parties[0].phones = f"1380000{n}111"
            data.handler_id = user.user_id
            register_case(s, admin, data, today=TODAY)
    wang_case, li_case = _cases(db)
    [mine] = messages.draft_progress(db, wang, wang_case, today=TODAY)
    with pytest.raises(PermissionDenied, match="不是您承办的案件"):
        messages.draft_progress(db, wang, li_case, today=TODAY)
    [theirs] = messages.draft_progress(db, li, li_case, today=TODAY)
    with pytest.raises(PermissionDenied):
        messages.approve_messages(db, wang, [theirs.id])
    with pytest.raises(PermissionDenied):
        messages.edit_message(db, wang, theirs.id, text="x")
    messages.approve_messages(db, wang, [mine.id])
    messages.approve_messages(db, admin, [theirs.id])  # the lead (here the administrator) may
    done = message_files.export_messages(db, wang, tmp_path / "w.csv", fmt="csv", today=TODAY)
    assert done.count == 1  # his own case's only
    assert messages.find_message(db, theirs.id).status is MessageStatus.APPROVED
    with db.unit_of_work() as s:
        reader = actor_for(
            create_user(
                s,
                admin,
                username="ro",
                display_name="只读",
                role=Role.READONLY,
                password="Passw0rd!x",
            )
        )
    with pytest.raises(PermissionDenied):
        message_files.export_messages(db, reader, tmp_path / "r.csv", fmt="csv", today=TODAY)
    with pytest.raises(PermissionDenied):
        messages.draft_reminders(db, reader, today=TODAY)
    # Li's result file read by Wang is refused.
    other = message_files.export_messages(db, li, tmp_path / "l.csv", fmt="csv", today=TODAY)
    (tmp_path / "lr.csv").write_text(
        f"消息编号,手机号码,发送状态\n{other.batch}-001,13800002111,成功\n"
    )
    with pytest.raises(UserError, match="不是您承办的案件"):
        message_files.read_results(db, wang, tmp_path / "lr.csv")
    assert message_files.read_results(db, li, tmp_path / "lr.csv").sent == 1


def _cases(db: Database) -> list[str]:
    with db.reader() as s:
        return list(s.scalars(select(SupervisionCase.id).order_by(SupervisionCase.case_seq)))


def test_a_closed_case_gets_no_new_message(db: Database, admin: Actor, case_id: str) -> None:
    with db.unit_of_work() as s:
        s.get(SupervisionCase, case_id).status = CaseStatus.WITHDRAWN  # type: ignore[union-attr]
    with pytest.raises(UserError, match="不能再记录督促"):
        messages.draft_progress(db, admin, case_id, today=TODAY)


def test_every_change_is_audited_on_the_case(db: Database, admin: Actor, case_id: str) -> None:
    message_id = _approved(db, admin, case_id)
    with db.reader() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == message_id).order_by(AuditEvent.seq)
        ).all()
    assert [(e.action, e.entity, e.case_id) for e in events] == [
        ("create", "outbox_message", case_id),
        ("update", "outbox_message", case_id),
    ]
    history = readable_history(db, case_id)
    drafted, approved = [e for e in history if e.what.endswith("短信")]
    assert ("状态", "", "草稿") in [(c.field, c.before, c.after) for c in drafted.changes]
    assert ("短信内容", "", messages.find_message(db, message_id).text) in [
        (c.field, c.before, c.after) for c in drafted.changes
    ]
    first = approved.changes[0]
    assert (first.field, first.before, first.after) == ("状态", "草稿", "已审核")
    assert {c.field for c in approved.changes} == {"状态", "审核人", "审核时间"}
    assert messages.outbox_counts(db)[MessageStatus.APPROVED] == 1
    assert [r.id for r in messages.outbox(db, case_id=case_id)] == [message_id]


def test_a_laptop_kit_has_no_outbox(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    with db.unit_of_work() as s:
        s.add(
            OfflineKit(
                role="laptop", court_id="c", origin="tribunal", year=2026, created_by="admin"
            )
        )
    for attempt in (
        lambda: messages.draft_progress(db, admin, case_id, today=TODAY),
        lambda: messages.draft_reminders(db, admin, today=TODAY),
        lambda: message_files.export_messages(
            db, admin, tmp_path / "o.csv", fmt="csv", today=TODAY
        ),
        lambda: message_files.read_results(db, admin, tmp_path / "r.csv"),
    ):
        with pytest.raises(UserError, match="这是派出法庭的离线工作包：短信经法院的短信平台发送"):
            attempt()
    assert _count(db) == 0


def test_an_export_rolled_back_leaves_no_file(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    """A file whose batch was not recorded would be sent, and its messages exported again: when
    the transaction that exports fails after writing, the file is removed with it."""
    message_id = _approved(db, admin, case_id)
    out = tmp_path / "短信.csv"
    with pytest.raises(RuntimeError, match="after the export"), db.unit_of_work() as s:
        message_files.export_messages(s, admin, out, fmt="csv", today=TODAY, now=NOW)
        assert out.is_file()
        raise RuntimeError("a failure after the export, before the commit")
    assert not out.exists()
    assert messages.find_message(db, message_id).status is MessageStatus.APPROVED
    done = message_files.export_messages(db, admin, out, fmt="csv", today=TODAY, now=NOW)
    assert out.is_file() and done.batch == "20261125-01"
