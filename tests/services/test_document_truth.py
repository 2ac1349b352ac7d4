"""Issue 24: what each issued document promises, certifies and cites, read from the PDF's text."""

from __future__ import annotations

import argparse
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.cli.notices import cmd_notice
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind, PartyRole, ServiceMethod
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import PartyInput, register_case
from zhiqian_desktop.services.supervision import notices, service_records
from zhiqian_desktop.services.supervision import templates as document_templates
from zhiqian_desktop.services.supervision.dues import due_list
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Document, SupervisionCase


def _case(db: Database, admin: Actor, **kw: object) -> str:
    with db.unit_of_work() as s:
        return register_case(s, admin, make_case_input(**kw), today=TODAY).id  # type: ignore[arg-type]


def _issue(db: Database, admin: Actor, case_id: str, kind: DocumentKind, **kw: object):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return notices.issue_notice(s, admin, case_id, kind, today=TODAY, **kw)  # type: ignore[arg-type]


def _pages(pdf: bytes, tmp: Path) -> list[str]:
    return ["".join(p.split()) for p in pdf_text(pdf, by_position=True).split("\f") if p.strip()]


_PAGE_MARKS = re.compile(r"—\d+—|^（\d{4}）\S*?号-\D+?\d+")


def _text(pdf: bytes, tmp: Path) -> str:
    """The document's running text: each page's document-number label and page number left out,
    so a sentence continued on the next page reads through."""
    return "".join(_PAGE_MARKS.sub("", page) for page in _pages(pdf, tmp))


def _serve_urging(db: Database, admin: Actor, case_id: str) -> str:
    urging = _issue(db, admin, case_id, DocumentKind.URGING)
    with db.unit_of_work() as s:
        service_records.record_service(
            s, admin, urging.id, ServiceMethod.DIRECT, TODAY, "张三", today=TODAY
        )
    return urging.id


def _set(db: Database, case_id: str, **values: object) -> None:
    with db.unit_of_work() as s:
        case = s.get(SupervisionCase, case_id)
        assert case is not None
        for key, value in values.items():
            setattr(case, key, value)


# 1 -----------------------------------------------------------------------------------------------


def test_no_notice_promises_that_paying_now_avoids_the_doubled_interest(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    case_id = _case(db, admin)
    urging = _text(_issue(db, admin, case_id, DocumentKind.URGING).pdf, tmp_path)
    notice = _text(_issue(db, admin, case_id, DocumentKind.SUPERVISION_NOTICE).pdf, tmp_path)
    risk = _text(_issue(db, admin, case_id, DocumentKind.RISK_NOTICE).pdf, tmp_path)
    for text in (urging, notice, risk):
        assert "无需负担执行费用和迟延履行期间的加倍债务利息" not in text
        assert "无需负担强制执行程序中产生的执行费用和迟延履行期间的加倍债务利息" not in text
        assert "由此产生的执行费用、迟延履行期间的加倍债务利息" not in text
    assert "第二百六十四条" in urging
    assert "加倍部分债务利息自生效法律文书确定的履行期间届满之日起计算" in urging
    assert "是否主张或者放弃，由申请人决定" in urging
    assert "申请人可以主张，也可以放弃" in risk and "是否主张由申请人决定" in notice


# 2 -----------------------------------------------------------------------------------------------


def test_the_certificate_certifies_only_what_was_recorded(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    act = "返还申请人陪嫁物品（清单见调解书附件）"
    case_id = _case(db, admin, amount="0.00", obligation_act=act)
    with pytest.raises(UserError, match="尚未登记履行日期"):
        _issue(db, admin, case_id, DocumentKind.PERFORMANCE_CERTIFICATE)
    with db.unit_of_work() as s:
        outcomes.close_case(
            s,
            admin,
            case_id,
            CaseStatus.PERFORMED,
            closed_on=TODAY,
            reason="已返还",
            act_confirmed=True,
            act_performed_on=date(2026, 11, 23),
            today=TODAY,
        )
    text = _text(_issue(db, admin, case_id, DocumentKind.PERFORMANCE_CERTIFICATE).pdf, tmp_path)
    assert "人民币零元整" not in text
    assert "已于二〇二六年十一月二十三日自动履行完毕" in text
    assert "确认被申请人已返还申请人陪嫁物品" in text
    # The applicant may have applied already (routed through supervision): what is true is that
    # the case had not reached enforcement.
    assert "在案件进入强制执行程序前主动履行" in text and "在申请执行前" not in text

    # A continuing obligation (monthly support) is never certified as done while it runs.
    support = _case(db, admin, n=2, amount="0.00", obligation_act="每月最后一日前支付抚养费800元")
    with pytest.raises(UserError, match="需要持续履行"):
        _issue(db, admin, support, DocumentKind.PERFORMANCE_CERTIFICATE)

    # Money: the date printed is the last payment's, not the day the certificate is issued.
    paid = _case(db, admin, n=3)
    with pytest.raises(UserError, match=r"尚有¥12,345\.67未履行"):
        _issue(db, admin, paid, DocumentKind.PERFORMANCE_CERTIFICATE)
    with db.unit_of_work() as s:
        outcomes.record_payment(
            s,
            admin,
            paid,
            paid_on=date(2026, 11, 21),
            amount=Decimal("12345.67"),
            method="to_applicant",
            payer="王某某",
            today=TODAY,
        )
    text = _text(_issue(db, admin, paid, DocumentKind.PERFORMANCE_CERTIFICATE).pdf, tmp_path)
    assert "已于二〇二六年十一月二十一日自动履行完毕" in text
    assert "确认已收到人民币壹万贰仟叁佰肆拾伍元陆角柒分" in text


# 3 -----------------------------------------------------------------------------------------------


def test_receipts_one_per_addressee_naming_them_and_none_for_records(
    db: Database, admin: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = _case(db, admin)
    _set_address = {"李某": "萨拉齐镇新华街8号", "王某某": "萨拉齐镇某某小区501室"}
    with db.unit_of_work() as s:
        case = s.get(SupervisionCase, case_id)
        assert case is not None
        for p in case.parties:
            p.address = _set_address[p.name]
    risk = _issue(db, admin, case_id, DocumentKind.RISK_NOTICE)
    with db.unit_of_work() as s:
        receipts = notices.issue_receipts(s, admin, risk.id, today=TODAY)
    texts = [_text(r.pdf, tmp_path) for r in receipts]
    assert len(texts) == 2
    assert "受送达人李某送达地址萨拉齐镇新华街8号" in texts[0]
    assert "受送达人王某某送达地址萨拉齐镇某某小区501室" in texts[1]
    for text in texts:
        assert "受送达人执行风险提示书" not in text
        assert "送达方式□直接" in text and "见证人（签名或者盖章）" in text
        assert "□已拍照□已录像" in text and "拍照、录像等方式记录送达过程" in text
    interview = _issue(db, admin, case_id, DocumentKind.INTERVIEW_RECORD)
    with db.unit_of_work() as s:
        assert notices.issue_receipts(s, admin, interview.id, today=TODAY) == []
    with pytest.raises(UserError, match="没有受送达人"):
        _issue(db, admin, case_id, DocumentKind.SERVICE_RECEIPT, served_document_id=interview.id)

    # The command line serves the document named, not the last one issued.
    urging = _issue(db, admin, case_id, DocumentKind.URGING)
    _issue(db, admin, case_id, DocumentKind.SUPERVISION_NOTICE)
    out = tmp_path / "r.pdf"
    args = argparse.Namespace(
        case_no=urging.case_no,
        kind="service_receipt",
        output=str(out),
        date=TODAY.isoformat(),
        json=False,
        serves=urging.doc_no,
        to=None,
    )
    assert cmd_notice(db, admin, args) == 0
    text = _text(out.read_bytes(), tmp_path)
    assert "自动履行催告书一份" in text and "-催告1）" in text and "督促履行通知书" not in text
    args.serves, args.output = risk.doc_no, str(tmp_path / "r2.pdf")
    with pytest.raises(UserError, match="每人一份送达回证"):
        cmd_notice(db, admin, args)
    args.to = "王某某"
    assert cmd_notice(db, admin, args) == 0
    assert "受送达人王某某" in _text((tmp_path / "r2.pdf").read_bytes(), tmp_path)

    # 留置送达 needs a witness or the process photographed or filmed (art. 89).
    with db.unit_of_work() as s:
        with pytest.raises(UserError, match="见证人"):
            service_records.record_service(
                s, admin, urging.id, ServiceMethod.LEAVING, TODAY, "张三",
                substitute_reason="拒收", today=TODAY,
            )  # fmt: skip
        service = service_records.record_service(
            s, admin, urging.id, ServiceMethod.LEAVING, TODAY, "张三",
            substitute_reason="拒收", process_recorded=True, today=TODAY,
        )  # fmt: skip
        assert service.process_recorded and service.witness is None


# 4 -----------------------------------------------------------------------------------------------


def test_the_transfer_letter_needs_failed_supervision_and_a_ground(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    case_id = _case(db, admin, original_doc_type="调解书", application_received_on=None)
    with pytest.raises(UserError, match="只有督促不成的案件才能移送执行"):
        _issue(db, admin, case_id, DocumentKind.TRANSFER_LETTER)
    with db.unit_of_work() as s:
        outcomes.mark_failed(s, admin, case_id, failed_on=TODAY, reason="拒不履行", today=TODAY)
    with pytest.raises(UserError, match="尚未登记收到申请人的申请执行书"):
        _issue(db, admin, case_id, DocumentKind.TRANSFER_LETTER)
    _set(db, case_id, application_received_on=date(2026, 11, 24))
    text = _text(_issue(db, admin, case_id, DocumentKind.TRANSFER_LETTER).pdf, tmp_path)
    assert "申请人李某已于二〇二六年十一月二十四日向本院提交申请执行书" in text
    assert "随函附送申请人的申请执行书、执前督促卷宗材料" in text

    # A support judgment is transferred by the court itself (art. 247; the SPC 执行工作规定).
    support = _case(
        db, admin, n=2, original_doc_type="判决书", cause="抚养费纠纷", application_received_on=None
    )
    with db.unit_of_work() as s:
        outcomes.mark_failed(s, admin, support, failed_on=TODAY, reason="拒不履行", today=TODAY)
    text = _text(_issue(db, admin, support, DocumentKind.TRANSFER_LETTER).pdf, tmp_path)
    assert "第二百四十七条第一款" in text and "由本院移送执行" in text
    assert "由审判庭移送执行机构执行的规定" in text and "第17条" not in text

    # Nothing left to perform: no transfer.
    paid = _case(db, admin, n=3, application_received_on=date(2026, 11, 21))
    with db.unit_of_work() as s:
        outcomes.record_payment(
            s, admin, paid, paid_on=TODAY, amount=Decimal("12345.67"),
            method="to_applicant", payer="王某某", today=TODAY,
        )  # fmt: skip
        s.get(SupervisionCase, paid).status = CaseStatus.FAILED  # type: ignore[union-attr]
    with pytest.raises(UserError, match="已无未履行的金额或义务"):
        _issue(db, admin, paid, DocumentKind.TRANSFER_LETTER)


# 5 -----------------------------------------------------------------------------------------------


def test_warnings_only_after_a_served_urging_notice_and_say_what_the_court_may_do(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    case_id = _case(db, admin)
    with pytest.raises(UserError, match="还没有登记自动履行催告书的送达"):
        _issue(db, admin, case_id, DocumentKind.PRE_DISHONEST)
    _issue(db, admin, case_id, DocumentKind.URGING)  # issued, not served: still refused
    with pytest.raises(UserError, match="还没有登记自动履行催告书的送达"):
        _issue(db, admin, case_id, DocumentKind.PRE_FINE)
    _serve_urging(db, admin, case_id)
    texts = {
        kind: _text(_issue(db, admin, case_id, kind).pdf, tmp_path)
        for kind in (
            DocumentKind.PRE_FINE,
            DocumentKind.PRE_DETENTION,
            DocumentKind.PRE_DISHONEST,
            DocumentKind.PRE_CONSUMPTION_LIMIT,
            DocumentKind.PRE_CRIMINAL,
        )
    }
    for text in texts.values():
        assert "本院将依法" not in text and "案件进入强制执行程序后" in text
        assert "人民法院可以依法" in text
    assert "须经院长批准，并用决定书作出" in texts[DocumentKind.PRE_FINE]
    assert "第一百一十四条" in texts[DocumentKind.PRE_DETENTION]
    assert (
        "第三条" in texts[DocumentKind.PRE_DISHONEST]
        and "充分有效担保" in texts[DocumentKind.PRE_DISHONEST]
    )
    limit = texts[DocumentKind.PRE_CONSUMPTION_LIMIT]
    assert "乘坐G字头动车组列车全部座位、其他动车组列车一等以上座位" in limit
    assert "高铁、动车组列车一等以上座位" not in limit


# 6 -----------------------------------------------------------------------------------------------


def test_the_art_250_item_runs_from_the_judgment_and_says_which_rule(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin, performance_deadline=None, effective_date=date(2024, 12, 2),
                    received=date(2024, 12, 20))  # fmt: skip
    with db.reader() as s:
        items = [i for i in due_list(s, date(2026, 11, 25)) if i.case_id == case_id]
    limit = [i for i in items if i.kind.value == "enforcement_limit"]
    assert limit and limit[0].due_date == date(2026, 12, 2)
    assert "未登记履行期限，自法律文书生效之日2024-12-02起算" in limit[0].detail
    with db.unit_of_work() as s:
        outcomes.record_payment(
            s, admin, case_id, paid_on=date(2025, 3, 3), amount=Decimal("100.00"),
            method="to_applicant", payer="王某某", today=TODAY,
        )  # fmt: skip
    with db.reader() as s:
        items = [i for i in due_list(s, date(2027, 3, 1)) if i.case_id == case_id]
    limit = [i for i in items if i.kind.value == "enforcement_limit"]
    assert limit[0].due_date == date(2027, 3, 3) and "中断" in limit[0].detail


# 7 -----------------------------------------------------------------------------------------------


def test_the_settlement_agreement_numbers_once_and_follows_the_table(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    case_id = _case(db, admin)
    schedule = [
        (date(2026, 11, 25), Decimal("2345.67")),
        *[(date(2026, 12 + m, 10) if m == 0 else date(2027, m, 10), Decimal("2000.00"))
          for m in range(5)],
    ]  # fmt: skip
    with db.unit_of_work() as s, pytest.raises(UserError, match="分期履行表共6期"):
        outcomes.record_settlement(
            s, admin, case_id, signed_on=TODAY, default_clause=None, guarantee=None,
            terms="一、剩余10000元分5期支付；二、申请人放弃加倍部分债务利息", installments=schedule,
            today=TODAY,
        )  # fmt: skip
    with db.unit_of_work() as s:
        outcomes.record_settlement(
            s, admin, case_id, signed_on=TODAY, default_clause="逾期一期的，申请人可申请强制执行",
            guarantee=None, terms="一、申请人放弃加倍部分债务利息；二、双方再无其他争议",
            installments=schedule, today=TODAY,
        )  # fmt: skip
    text = _text(_issue(db, admin, case_id, DocumentKind.SETTLEMENT_AGREEMENT).pdf, tmp_path)
    assert "一、一、" not in text and "二、二、" not in text
    assert "分六期履行" in text and "第六期" in text and "第七期" not in text
    assert "八、申请人放弃加倍部分债务利息；九、双方再无其他争议；十、逾期一期的" in text


# 8 -----------------------------------------------------------------------------------------------


def test_a_company_is_interviewed_through_the_person_present(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    company = PartyInput(
        PartyRole.OBLIGOR,
        "包头市某某建材有限公司",
        PartyKind.LEGAL_PERSON,
        id_number="91150221MA0N7XEQ4Y",
        legal_representative="赵某",
    )
    data = make_case_input()
    data.parties = [data.parties[0], company]
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, data, today=TODAY).id
    text = _text(_issue(db, admin, case_id, DocumentKind.INTERVIEW_RECORD).pdf, tmp_path)
    assert "被约谈单位：包头市某某建材有限公司" in text
    assert "统一社会信用代码：91150221MA0N7XEQ4Y" in text
    assert "法定代表人（负责人）：赵某" in text and "到场人员：" in text
    assert "□委托代理人" in text and "身份证号码：91150221" not in text
    assert "如实报告财产状况，听清楚了吗" not in text
    assert "本案尚未进入强制执行程序" in text and "第二百五十二条" in text


# 9 -----------------------------------------------------------------------------------------------


def test_bankruptcy_notice_rests_on_art_7_and_returned_mail_only_for_confirmed_addresses(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    case_id = _case(db, admin)
    with db.unit_of_work() as s:
        case = s.get(SupervisionCase, case_id)
        assert case is not None
        obligor = next(p for p in case.parties if p.role is PartyRole.OBLIGOR)
        obligor.kind = PartyKind.LEGAL_PERSON
    text = _text(_issue(db, admin, case_id, DocumentKind.BANKRUPTCY_NOTICE).pdf, tmp_path)
    assert "第七条第二款" in text and "债务人不能清偿到期债务，债权人可以" in text
    assert "资产不足以清偿全部债务" not in text and "第二条" not in text
    risk = _text(_issue(db, admin, case_id, DocumentKind.RISK_NOTICE).pdf, tmp_path)
    assert "当事人书面确认了送达地址的，本院按该地址邮寄送达的文书" in risk
    assert "导致法律文书未能被实际接收的，文书退回之日视为送达之日" not in risk


def test_a_person_owing_with_a_company_is_not_sent_to_bankruptcy_nor_given_its_address(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    """A person and a company owe together: the bankruptcy notice names the company only (only
    an enterprise legal person can be made bankrupt), and the settlement agreement says whose
    each address is instead of printing the person's as everyone's."""
    data = make_case_input()
    data.parties[1].address = "萨拉齐镇某某小区501室"
    data.parties.append(
        PartyInput(
            PartyRole.OBLIGOR, "某某商贸有限公司", PartyKind.LEGAL_PERSON, address="工业园区8号"
        )
    )
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, data, today=TODAY).id
    text = _text(_issue(db, admin, case_id, DocumentKind.BANKRUPTCY_NOTICE).pdf, tmp_path)
    assert "可以依法向某某商贸有限公司住所地人民法院申请" in text
    assert "向王某某" not in text
    with db.unit_of_work() as s:
        outcomes.record_settlement(
            s, admin, case_id, signed_on=TODAY, terms="被申请人分期支付", default_clause=None,
            guarantee=None, equal_installments=(2, date(2026, 12, 31), 1), today=TODAY,
        )  # fmt: skip
    text = _text(_issue(db, admin, case_id, DocumentKind.SETTLEMENT_AGREEMENT).pdf, tmp_path)
    assert (
        "被申请人：王某某、某某商贸有限公司，住所：萨拉齐镇某某小区501室（王某某）；"
        "工业园区8号（某某商贸有限公司）"
    ) in text


# 10 ----------------------------------------------------------------------------------------------


def test_person_or_organisation_is_addressed_as_it_is_and_footnotes_stay_with_the_text(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    person = _case(db, admin)
    text = _text(_issue(db, admin, person, DocumentKind.URGING).pdf, tmp_path)
    assert "你（单位）" not in text and "请你自收到本催告书之日起" in text
    company = _case(db, admin, n=2)
    with db.unit_of_work() as s:
        case = s.get(SupervisionCase, company)
        assert case is not None
        next(p for p in case.parties if p.role is PartyRole.OBLIGOR).kind = PartyKind.LEGAL_PERSON
    text = _text(_issue(db, admin, company, DocumentKind.URGING).pdf, tmp_path)
    assert "你（单位）" not in text and "请你单位自收到本催告书之日起" in text

    # A certificate whose text nearly fills the page: the footnote moves with the signature.
    long_act = "协助申请人办理位于土默特右旗萨拉齐镇某某小区的房屋的过户登记手续，" * 6
    long = _case(db, admin, n=3, amount="0.00", obligation_act=long_act)
    with db.unit_of_work() as s:
        outcomes.close_case(
            s, admin, long, CaseStatus.PERFORMED, closed_on=TODAY, reason="已履行",
            act_confirmed=True, today=TODAY,
        )  # fmt: skip
    pages = _pages(_issue(db, admin, long, DocumentKind.PERFORMANCE_CERTIFICATE).pdf, tmp_path)
    for page in pages:
        if "本证明书一式三份" in page:
            assert "二〇二六年十一月二十五日" in page, "the footnote stands on a page of its own"


# a court's edited copy of an old template --------------------------------------------------------


def test_a_courts_copy_still_carrying_retired_wording_is_refused(
    db: Database, admin: Actor
) -> None:
    old = document_templates.default_text(DocumentKind.URGING).replace(
        "也无需负担强制执行程序中的执行费用。",
        "亦无需负担强制执行程序中产生的执行费用和迟延履行期间的加倍债务利息。",
    )
    with db.unit_of_work() as s:
        with pytest.raises(UserError, match="已停用的表述"):
            document_templates.save_template(s, admin, DocumentKind.URGING, old)
        # A row written by an earlier version (no check then) is refused when a notice is issued.
        from zhiqian_desktop.store.models import CourtTemplate

        s.add(CourtTemplate(kind="urging", text=old, updated_by="admin"))
    case_id = _case(db, admin)
    with pytest.raises(UserError, match="已停用的表述"):
        _issue(db, admin, case_id, DocumentKind.URGING)
    with db.reader() as s:
        assert s.scalars(select(Document)).all() == []


def test_a_receipt_is_one_sheet_even_for_a_long_address(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    """A 送达回证 is signed and returned as one sheet: art. 89's note stays under its table."""
    case_id = _case(db, admin, cause="机动车交通事故责任纠纷")
    with db.unit_of_work() as s:
        case = s.get(SupervisionCase, case_id)
        assert case is not None
        for p in case.parties:
            p.address = (
                "内蒙古自治区包头市土默特右旗萨拉齐镇某某街道某某社区某某小区十二号楼三单元五〇一室"
            )
    urging = _issue(db, admin, case_id, DocumentKind.URGING)
    with db.unit_of_work() as s:
        (receipt,) = notices.issue_receipts(s, admin, urging.id, today=TODAY)
    pages = _pages(receipt.pdf, tmp_path)
    assert len(pages) == 1, pages[1:]
    assert "视为送达（民事诉讼法第八十九条）" in pages[0]
