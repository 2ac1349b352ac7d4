"""短信发件箱 rules: mobile numbers, length and parts, the texts, reminders' days, the steps of a
message, the export's codes and matching the platform's result file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhiqian_desktop.domain.due_facts import CaseFacts, ContactFact, InstallmentFact, PaymentFact
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MessageStatus
from zhiqian_desktop.domain.messages import (
    MAX_UNITS,
    NEXT,
    Awaiting,
    Outcome,
    ProgressFacts,
    ReminderDue,
    ResultRow,
    Step,
    batch_code,
    check_lead_days,
    check_text,
    length_note,
    match_results,
    message_ref,
    mobiles_in,
    next_status,
    normalise_mobile,
    progress_text,
    reminder_text,
    reminders_due,
    result_columns,
    sms_amount,
    sms_parts,
    sms_units,
    within_lead,
)
from zhiqian_desktop.domain.workflow import CaseStatus

TODAY = date(2026, 12, 2)

# --- phones -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_", "number"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("+8613912345678", "13912345678"),
        ("0086 13912345678", "13912345678"),
        ("8613912345678", "13912345678"),
        ("(86)13912345678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("  19912345678\u3000", "19912345678"),
        ("13012345678", "13012345678"),
    ],
)
def test_mobile_numbers_are_normalised(given_: str, number: str) -> None:
    assert normalise_mobile(given_) == number


@pytest.mark.parametrize(
    "landline",
    ["0313-5123456", "03135123456", "010-12345678", "5123456", "51234567", "4008123456"],
)
def test_a_landline_is_not_an_sms_number(landline: str) -> None:
    with pytest.raises(UserError, match="固定电话，不能接收短信") as info:
        normalise_mobile(landline, who="被申请人李四")
    assert info.value.message.startswith("被申请人李四的号码")
    assert info.value.field == "phone"


@pytest.mark.parametrize(
    "bad",
    [
        "12912345678",
        "1391234567",
        "139123456789",
        "23912345678",
        "abc",
        "139１２３４５６７x",
        "861391234567",
        "86139123456789",
        "1234567",
        "0123456789012",
    ],
)
def test_what_is_not_a_phone_is_refused(bad: str) -> None:
    with pytest.raises(UserError, match="不是手机号码；手机号码应为1开头的11位数字") as info:
        normalise_mobile(bad)
    assert info.value.field == "phone"


def test_no_number_says_where_to_fill_it() -> None:
    for empty in ("", "   ", None):
        with pytest.raises(UserError, match=r"^申请人张三没有手机号码；请先在当事人信息中"):
            normalise_mobile(empty, who="申请人张三")  # type: ignore[arg-type]


def test_86_is_a_prefix_only_before_eleven_digits() -> None:
    # 86 followed by a mobile is the country code; 86 alone at the start of 13 digits only.
    assert normalise_mobile("86 139 1234 5678") == "13912345678"
    for bad in ("8613912345678 0", "1113912345678", "+868613912345678", "00868613912345678"):
        with pytest.raises(UserError, match="不是手机号码"):
            normalise_mobile(bad)


def test_mobiles_among_a_partys_phones_in_order_without_repeats() -> None:
    phones = ["0313-5123456", "139 1234 5678", "+8613912345678", "15800001111", "x"]
    assert mobiles_in(phones) == ["13912345678", "15800001111"]
    assert mobiles_in([]) == []


# --- length -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "parts"),
    [(0, 0), (1, 1), (69, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4), (335, 5)],
)
def test_parts_of_70_then_67(units: int, parts: int) -> None:
    assert sms_parts("字" * units) == parts


def test_units_count_a_character_beyond_the_bmp_twice() -> None:
    assert sms_units("王𠀾") == 3
    assert sms_units("") == 0
    assert sms_parts("𠀾" * 35) == 1
    assert sms_parts("𠀾" * 35 + "a") == 2


@given(st.text(max_size=400))
def test_parts_hold_every_unit(text: str) -> None:
    units, parts = sms_units(text), sms_parts(text)
    if units <= 70:
        assert parts == (1 if units else 0)
    else:
        assert (parts - 1) * 67 < units <= parts * 67


def test_length_note() -> None:
    assert length_note("字" * 71) == "71字，分2条发送（上限335字）"


def test_text_is_trimmed_and_line_ends_made_one() -> None:
    assert check_text("  第一行\r\n第二行\r第三行 \n") == "第一行\n第二行\n第三行"


def test_empty_text_is_refused() -> None:
    for empty in ("", " \n ", None):
        with pytest.raises(UserError, match="短信内容为空") as info:
            check_text(empty)  # type: ignore[arg-type]
        assert info.value.field == "text"


@pytest.mark.parametrize("hidden", ["\x07", "\u202e", "\u200b", "\t", "\x85"])
def test_hidden_characters_are_refused(hidden: str) -> None:
    with pytest.raises(UserError, match=f"U\\+{ord(hidden):04X}") as info:
        check_text(f"您好{hidden}张三")
    assert info.value.field == "text"


def test_the_limit_is_five_parts() -> None:
    assert MAX_UNITS == 335
    assert check_text("字" * 335) == "字" * 335
    with pytest.raises(UserError, match="有336字，超过335字（5条短信）的上限") as info:
        check_text("字" * 336)
    assert info.value.field == "text"
    with pytest.raises(UserError, match="有336字"):
        check_text("字" * 334 + "𠀾")


def test_amount_in_a_message() -> None:
    assert sms_amount(Decimal("12345.6")) == "12,345.60元"
    assert sms_amount(Decimal("0")) == "0.00元"


# --- the progress report ----------------------------------------------------------------------------


def facts(**changes: object) -> ProgressFacts:
    values: dict[str, object] = {
        "court_name": "土默特右旗人民法院",
        "applicant": "张三",
        "obligors": "李四",
        "cause": "买卖合同纠纷",
        "case_no": "（2026）内0221执前督8号",
        "received_on": date(2026, 11, 2),
        "handler": "王法官",
        "court_phone": "0472-8123456",
        "urging_issued_on": None,
        "urging_served_on": None,
        "settled_on": None,
        "contacts": 0,
        "reached": 0,
        "promise_on": None,
        "promise_amount": None,
        "amount_due": Decimal("0"),
        "amount_paid": Decimal("0"),
        "today": TODAY,
    }
    values.update(changes)
    return ProgressFacts(**values)  # type: ignore[arg-type]


def test_progress_with_nothing_done_yet_says_only_the_case() -> None:
    assert progress_text(facts()) == (
        "【土默特右旗人民法院】张三：您与李四买卖合同纠纷一案已于2026年11月2日立案督促，"
        "案号（2026）内0221执前督8号。承办人王法官，电话0472-8123456。"
    )
    assert progress_text(facts(court_phone="")).endswith("承办人王法官。")


def test_progress_tells_the_notice_served_or_on_its_way() -> None:
    issued = facts(urging_issued_on=date(2026, 11, 3))
    assert "自动履行催告书正在向被申请人送达。" in progress_text(issued)
    served = facts(urging_issued_on=date(2026, 11, 3), urging_served_on=date(2026, 11, 5))
    text = progress_text(served)
    assert "本院已于2026年11月5日向被申请人送达自动履行催告书。" in text
    assert "正在" not in text
    assert "催告书" not in progress_text(facts())


def test_progress_tells_a_settlement_being_performed() -> None:
    text = progress_text(facts(settled_on=date(2026, 11, 20)))
    assert "案号（2026）内0221执前督8号。双方已于2026年11月20日达成和解协议。" in text
    assert "和解" not in progress_text(facts())


def test_progress_tells_contacts_and_a_promise() -> None:
    text = progress_text(facts(contacts=3, reached=2))
    assert "本院已联系被申请人3次（接通或见面2次）。" in text
    text = progress_text(
        facts(
            contacts=3,
            reached=2,
            promise_on=date(2026, 12, 10),
            promise_amount=Decimal("5000"),
        )
    )
    assert "（接通或见面2次），其承诺于2026年12月10日前履行5,000.00元。" in text
    text = progress_text(facts(contacts=1, reached=1, promise_on=date(2026, 12, 10)))
    assert "其承诺于2026年12月10日前履行义务。" in text
    assert "联系被申请人" not in progress_text(facts(promise_on=date(2026, 12, 10)))


def test_progress_tells_the_amounts_never_a_negative_balance() -> None:
    text = progress_text(facts(amount_due=Decimal("10000"), amount_paid=Decimal("2500")))
    assert "截至2026年12月2日已履行2,500.00元，尚欠7,500.00元。" in text
    over = progress_text(facts(amount_due=Decimal("100"), amount_paid=Decimal("150")))
    assert "已履行150.00元，尚欠0.00元。" in over
    assert "尚欠" not in progress_text(facts(amount_paid=Decimal("5")))
    assert "已履行0.00元，尚欠1.00元。" in progress_text(facts(amount_due=Decimal("1")))


# --- reminders --------------------------------------------------------------------------------------


def test_lead_days_from_one_to_thirty() -> None:
    assert check_lead_days(1) == 1
    assert check_lead_days(30) == 30
    for bad in (0, 31, -1, True, "3", 2.0, None):
        with pytest.raises(UserError, match="应为1至30之间的整数（通常为3天）") as info:
            check_lead_days(bad)
        assert info.value.field == "reminder_lead_days"


def test_within_lead_is_today_up_to_lead_days_ahead() -> None:
    assert within_lead(TODAY, TODAY, 3)
    assert within_lead(date(2026, 12, 5), TODAY, 3)
    assert not within_lead(date(2026, 12, 6), TODAY, 3)
    assert not within_lead(date(2026, 12, 1), TODAY, 3)


def case(**changes: object) -> CaseFacts:
    values: dict[str, object] = {
        "case_id": "c1",
        "received_date": date(2026, 10, 1),
        "status": CaseStatus.SETTLED,
        "settlement_signed_on": date(2026, 10, 20),
        "installments": (
            InstallmentFact(1, date(2026, 11, 20), Decimal("1000")),
            InstallmentFact(2, date(2026, 12, 4), Decimal("1000")),
            InstallmentFact(3, date(2027, 1, 4), Decimal("1000")),
        ),
    }
    values.update(changes)
    return CaseFacts(**values)  # type: ignore[arg-type]


def test_an_instalment_falling_due_within_the_lead_days() -> None:
    paid = (PaymentFact(date(2026, 11, 19), Decimal("1400")),)
    assert reminders_due(case(payments=paid), TODAY, 3) == [
        ReminderDue("installment:2:2026-12-04", date(2026, 12, 4), Decimal("600"), seq=2)
    ]
    assert reminders_due(case(payments=paid), TODAY, 1) == []
    # The first instalment is unpaid and past: the due-list's, not a reminder.
    assert [r.seq for r in reminders_due(case(), TODAY, 2)] == [2]
    assert [r.seq for r in reminders_due(case(), TODAY, 30)] == [2]
    assert [r.seq for r in reminders_due(case(), TODAY, 2)] == [2]


def test_a_paid_instalment_or_an_unsettled_case_has_none() -> None:
    paid = (PaymentFact(date(2026, 11, 19), Decimal("2000")),)
    assert reminders_due(case(payments=paid), TODAY, 3) == []
    assert reminders_due(case(status=CaseStatus.SUPERVISING), TODAY, 3) == []


def test_an_unkept_promise_falling_due() -> None:
    promise = ContactFact(date(2026, 11, 28), None, date(2026, 12, 3), Decimal("5000"))
    facts_ = case(status=CaseStatus.SUPERVISING, latest_contact=promise)
    assert reminders_due(facts_, TODAY, 3) == [
        ReminderDue(
            "promise:2026-11-28:2026-12-03",
            date(2026, 12, 3),
            Decimal("5000"),
            promised_on=date(2026, 11, 28),
        )
    ]
    part = (PaymentFact(date(2026, 11, 30), Decimal("1200")),)
    facts_ = case(status=CaseStatus.SUPERVISING, latest_contact=promise, payments=part)
    assert reminders_due(facts_, TODAY, 3)[0].outstanding == Decimal("3800")
    kept = (PaymentFact(date(2026, 11, 30), Decimal("5000")),)
    facts_ = case(status=CaseStatus.SUPERVISING, latest_contact=promise, payments=kept)
    assert reminders_due(facts_, TODAY, 3) == []
    facts_ = case(status=CaseStatus.SUPERVISING, latest_contact=promise)
    assert reminders_due(facts_, date(2026, 12, 4), 3) == []
    assert reminders_due(facts_, date(2026, 11, 29), 3) == []


def test_a_promise_without_an_amount_and_one_beside_an_instalment() -> None:
    promise = ContactFact(date(2026, 11, 28), None, date(2026, 12, 3), None)
    reminders = reminders_due(case(latest_contact=promise), TODAY, 3)
    assert [(r.what, r.outstanding) for r in reminders] == [
        ("和解协议第2期", Decimal("1000")),
        ("承诺履行", None),
    ]
    no_promise = ContactFact(date(2026, 11, 28), date(2026, 12, 3), None, None)
    facts_ = case(status=CaseStatus.SUPERVISING, latest_contact=no_promise)
    assert reminders_due(facts_, TODAY, 3) == []


def test_reminder_texts() -> None:
    args = {
        "court_name": "土右旗法院",
        "obligor": "李四",
        "case_no": "（2026）内0221执前督8号",
        "handler": "王法官",
        "phone": "0472-8123456",
    }
    inst = ReminderDue("installment:2:2026-12-04", date(2026, 12, 4), Decimal("600"), seq=2)
    assert reminder_text(inst, **args) == (
        "【土右旗法院】李四：（2026）内0221执前督8号案，按和解协议，您应于2026年12月4日前"
        "履行第2期600.00元，请按期履行。如有疑问请联系承办人王法官，电话0472-8123456。"
    )
    promise = ReminderDue("promise:x", date(2026, 12, 3), None, promised_on=date(2026, 11, 28))
    text = reminder_text(promise, **{**args, "phone": ""})
    assert "您于2026年11月28日承诺于2026年12月3日前履行义务，请按期履行。" in text
    assert text.endswith("请联系承办人王法官。")


# --- steps ------------------------------------------------------------------------------------------


def test_every_step_from_every_status() -> None:
    allowed = {
        (Step.EDIT, MessageStatus.DRAFT): MessageStatus.DRAFT,
        (Step.EDIT, MessageStatus.APPROVED): MessageStatus.DRAFT,
        (Step.EDIT, MessageStatus.FAILED): MessageStatus.DRAFT,
        (Step.APPROVE, MessageStatus.DRAFT): MessageStatus.APPROVED,
        (Step.EXPORT, MessageStatus.APPROVED): MessageStatus.EXPORTED,
        (Step.SENT, MessageStatus.EXPORTED): MessageStatus.SENT,
        (Step.FAILED, MessageStatus.EXPORTED): MessageStatus.FAILED,
        (Step.DISCARD, MessageStatus.DRAFT): MessageStatus.DISCARDED,
        (Step.DISCARD, MessageStatus.APPROVED): MessageStatus.DISCARDED,
        (Step.DISCARD, MessageStatus.FAILED): MessageStatus.DISCARDED,
    }
    assert dict(NEXT) == allowed
    for step in Step:
        for status in MessageStatus:
            if (step, status) in allowed:
                assert next_status(step, status, "短信") is allowed[step, status]
            else:
                with pytest.raises(UserError, match=r"^短信.*，不能") as info:
                    next_status(step, status, "短信")
                assert status.label[:2] in info.value.message


def test_a_sent_message_is_never_edited_or_exported_again() -> None:
    with pytest.raises(UserError) as info:
        next_status(Step.EDIT, MessageStatus.SENT, "短信20261202-01-001")
    assert info.value.message == (
        "短信20261202-01-001已发送，不能修改；已发送的短信不再修改；需要再告知时请起草新的短信"
    )
    with pytest.raises(UserError, match="已发送，不能导出；只导出已审核、尚未导出的短信"):
        next_status(Step.EXPORT, MessageStatus.SENT, "短信")
    with pytest.raises(UserError, match="还是草稿，尚未审核，不能导出"):
        next_status(Step.EXPORT, MessageStatus.DRAFT, "短信")
    with pytest.raises(UserError, match="已导出，正等待短信平台的发送结果，不能修改"):
        next_status(Step.EDIT, MessageStatus.EXPORTED, "短信")
    with pytest.raises(UserError, match="已作废，不能审核；只有草稿需要审核"):
        next_status(Step.APPROVE, MessageStatus.DISCARDED, "短信")
    with pytest.raises(UserError, match="发送失败，不能登记为已发送；只有已导出的短信等待"):
        next_status(Step.SENT, MessageStatus.FAILED, "短信")
    with pytest.raises(UserError, match="已审核，不能登记为发送失败；只有已导出"):
        next_status(Step.FAILED, MessageStatus.APPROVED, "短信")
    with pytest.raises(UserError, match="已发送，不能作废；已导出或已发送的短信不能作废"):
        next_status(Step.DISCARD, MessageStatus.SENT, "短信")


# --- export and results -----------------------------------------------------------------------------


def test_batch_and_message_codes() -> None:
    assert batch_code(date(2026, 1, 5), 3) == "20260105-03"
    assert message_ref("20260105-03", 7) == "20260105-03-007"
    assert message_ref("20260105-03", 1234) == "20260105-03-1234"


def test_result_columns_by_name_in_any_order() -> None:
    header = ["序号", " 发送状态", "手机号码", "失败原因", "消息编号"]
    assert result_columns(header, "r.csv") == {"status": 1, "phone": 2, "reason": 3, "ref": 4}
    assert result_columns(["ID", "Mobile", "STATUS"], "r.csv") == {
        "ref": 0,
        "phone": 1,
        "status": 2,
    }
    # The first of two columns with the same meaning counts.
    assert result_columns(["编号", "号码", "状态", "结果"], "r")["status"] == 2
    assert result_columns(["编号", "号码", "状态", None], "r") == {  # type: ignore[list-item]
        "ref": 0,
        "phone": 1,
        "status": 2,
    }


def test_result_columns_missing_are_named() -> None:
    with pytest.raises(UserError) as info:
        result_columns(["手机号码", "内容"], "结果.xlsx")
    assert info.value.message.startswith("结果文件“结果.xlsx”的第1行缺少“消息编号”“发送状态”列")
    assert info.value.message.endswith("未登记任何结果")


BATCH = "20261202-01"


def outbox(**statuses: MessageStatus) -> dict[str, Awaiting]:
    found = {
        f"{BATCH}-001": Awaiting(f"{BATCH}-001", "13912345678", BATCH, MessageStatus.EXPORTED),
        f"{BATCH}-002": Awaiting(f"{BATCH}-002", "15800001111", BATCH, MessageStatus.EXPORTED),
        "20261201-01-001": Awaiting(
            "20261201-01-001", "13700000000", "20261201-01", MessageStatus.EXPORTED
        ),
    }
    for ref, status in statuses.items():
        found[ref] = Awaiting(ref, found[ref].phone, found[ref].batch, status)
    return found


def test_results_are_matched_by_number_and_phone() -> None:
    rows = [
        ResultRow(2, f"{BATCH}-002", "158-0000-1111", "失败", " 空号 "),
        ResultRow(3, f" {BATCH}-001 ", "+86 13912345678", "成功"),
    ]
    assert match_results(rows, outbox(), "r.csv") == [
        Outcome(f"{BATCH}-002", False, "空号"),
        Outcome(f"{BATCH}-001", True, ""),
    ]


@pytest.mark.parametrize(
    ("word", "sent"),
    [
        ("成功", True),
        ("发送成功", True),
        ("已发送", True),
        ("SUCCESS", True),
        ("ok", True),
        ("Delivered", True),
        ("失败", False),
        ("发送失败", False),
        ("未发送", False),
        ("fail", False),
        (" FAILED ", False),
    ],
)
def test_status_words(word: str, sent: bool) -> None:
    rows = [ResultRow(2, f"{BATCH}-001", "13912345678", word)]
    assert match_results(rows, outbox(), "r")[0].sent is sent


def refused(rows: list[ResultRow], box: dict[str, Awaiting] | None = None) -> str:
    with pytest.raises(UserError) as info:
        match_results(rows, outbox() if box is None else box, "结果.csv")
    return info.value.message


def test_a_file_that_does_not_match_is_refused_naming_the_row() -> None:
    good = ResultRow(2, f"{BATCH}-001", "13912345678", "成功")
    assert refused([]).startswith("结果文件“结果.csv”中没有结果行")
    assert refused([good, ResultRow(3, "X-1", "13912345678", "成功")]) == (
        "结果文件“结果.csv”第3行的消息编号“X-1”不是本系统导出的短信；请核对是否选错了结果文件；"
        "未登记任何结果"
    )
    assert "第3行的消息编号“20261202-01-001”重复出现" in refused([good, replace(good, line=3)])
    other = ResultRow(3, "20261201-01-001", "13700000000", "成功")
    assert "第3行的短信属于导出批次20261201-01，而前面的行属于批次20261202-01" in refused(
        [good, other]
    )
    assert "第2行的手机号码“13912345679”与导出时的号码不同" in refused(
        [ResultRow(2, f"{BATCH}-001", "13912345679", "成功")]
    )
    assert "第2行的手机号码“0472-8123456”与导出时的号码不同" in refused(
        [ResultRow(2, f"{BATCH}-001", "0472-8123456", "成功")]
    )
    assert "第2行的发送状态“待发”无法识别；应为“成功”或“失败”" in refused(
        [ResultRow(2, f"{BATCH}-001", "13912345678", "待发")]
    )
    sent = outbox(**{f"{BATCH}-001": MessageStatus.SENT})
    assert "第2行的短信20261202-01-001已发送，不在等待发送结果（这个结果文件可能已经读回过）" in (
        refused([good], sent)
    )
