"""The data of each document, computed exactly (the PDF itself gets smoke tests elsewhere)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from tests.printing.helpers import DOC_ID, FACTS, SERVED, facts_for
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.documents import (
    Installment,
    NoticeContent,
    SettlementFacts,
    build_content,
    build_context,
    chinese_count,
    document_number,
    obligation_text,
)

ISSUED = date(2026, 11, 22)


def test_context_values_for_a_money_case() -> None:
    ctx = build_context(FACTS, issued_on=ISSUED)
    assert ctx["amount"] == "¥12,345.67"
    assert ctx["amount_capital"] == "人民币壹万贰仟叁佰肆拾伍元陆角柒分"
    assert ctx["outstanding"] == "¥12,345.67"
    assert ctx["issue_date"] == "二〇二六年十一月二十二日"
    assert ctx["effective_date"] == "二〇二六年十一月一日"
    assert ctx["urging_days"] == "十五"
    assert ctx["obligation"] == "向申请人李某支付人民币壹万贰仟叁佰肆拾伍元陆角柒分（¥12,345.67）"
    assert ctx["contact"] == "承办人张法官，联系电话：0472-8812345"


def test_obligation_with_an_act_and_without_money() -> None:
    act_only = replace(FACTS, amount_due=Decimal("0.00"), obligation_act="腾退房屋。")
    assert obligation_text(act_only) == "腾退房屋"
    both = replace(FACTS, obligation_act="返还车辆")
    assert obligation_text(both).endswith("（¥12,345.67），并返还车辆")


@pytest.mark.parametrize(
    ("n", "text"), [(3, "三"), (7, "七"), (10, "十"), (15, "十五"), (30, "三十"), (105, "一百零五")]
)
def test_day_counts_in_chinese(n: int, text: str) -> None:
    assert chinese_count(n) == text


def test_document_numbers() -> None:
    assert (
        document_number(FACTS.case_no, DocumentKind.URGING, 1) == "（2026）内0221执前督12号-催告1"
    )
    assert document_number(FACTS.case_no, DocumentKind.PRE_FINE, 2).endswith("-预罚款2")


def _content(kind: DocumentKind, **kw: object) -> NoticeContent:
    _ctx, content = build_content(
        kind,
        facts_for(kind),
        doc_id=DOC_ID,
        doc_no=document_number(FACTS.case_no, kind, 1),
        issued_on=ISSUED,
        served=SERVED if kind is DocumentKind.SERVICE_RECEIPT else None,
        **kw,  # type: ignore[arg-type]
    )
    return content


def test_urging_notice_text() -> None:
    c = _content(DocumentKind.URGING)
    assert (c.title, c.addressee, c.case_no) == ("自动履行催告书", "王某某：", FACTS.case_no)
    body = "".join(c.paragraphs)
    assert "自收到本催告书之日起十五日内" in body
    assert "人民币壹万贰仟叁佰肆拾伍元陆角柒分（¥12,345.67）" in body
    assert c.sign_date == "二〇二六年十一月二十二日" and c.signature == "court"


def test_certificate_has_three_copies_and_refuses_an_unpaid_case() -> None:
    c = _content(DocumentKind.PERFORMANCE_CERTIFICATE)
    assert c.copies == ["被申请人收执联", "民事审判第一庭备案联", "执行立案部门备案联"]
    assert "二〇二六年十一月二十日自动履行完毕" in "".join(c.paragraphs)
    with pytest.raises(UserError, match=r"尚有¥12,345\.67未履行"):
        build_content(
            DocumentKind.PERFORMANCE_CERTIFICATE, FACTS, doc_id="x", doc_no="n", issued_on=ISSUED
        )


def test_service_receipt_is_a_table_naming_the_served_document() -> None:
    c = _content(DocumentKind.SERVICE_RECEIPT)
    rows = dict(c.table)
    assert rows["案由"] == "民间借贷纠纷" and rows["案号"] == FACTS.case_no
    assert rows["送达文书名称和件数"].startswith("自动履行催告书一份")
    assert rows["受送达人"] == "王某某" and rows["送达地址"] == "某某小区"
    assert {"受送达人签名或者盖章", "代收人及代收理由", "送达人", "备考"} <= rows.keys()
    with pytest.raises(UserError, match="送达回证需要指明"):
        build_content(DocumentKind.SERVICE_RECEIPT, FACTS, doc_id="x", doc_no="n", issued_on=ISSUED)


def test_settlement_terms_from_installments() -> None:
    facts = replace(
        FACTS,
        settlement=SettlementFacts(
            installments=(
                Installment(date(2026, 12, 31), Decimal("5000.00")),
                Installment(date(2027, 1, 31), Decimal("7345.67")),
            ),
            default_clause="任何一期未按时足额履行的，申请人可就全部未履行部分申请强制执行",
        ),
    )
    _ctx, c = build_content(
        DocumentKind.SETTLEMENT_AGREEMENT, facts, doc_id="x", doc_no="n", issued_on=ISSUED
    )
    assert c.paragraphs[1] == (
        "一、被申请人共向申请人支付人民币壹万贰仟叁佰肆拾伍元陆角柒分（¥12,345.67），分二期履行；"
    )
    assert (
        "二、第一期：被申请人于二〇二六年十二月三十一日前向申请人支付人民币伍仟元整（¥5,000.00）；"
        in c.paragraphs
    )
    assert c.paragraphs[4].startswith("四、任何一期") and c.signature == "parties"


def test_bankruptcy_notice_only_for_companies() -> None:
    c = _content(DocumentKind.BANKRUPTCY_NOTICE)
    assert c.addressee == "李某：" and "营业执照已被吊销" in c.paragraphs[0]
    with pytest.raises(UserError, match="企业法人"):
        build_content(
            DocumentKind.BANKRUPTCY_NOTICE, FACTS, doc_id="x", doc_no="n", issued_on=ISSUED
        )


def test_content_survives_a_json_round_trip() -> None:
    c = _content(DocumentKind.SERVICE_RECEIPT)
    assert NoticeContent.from_dict(c.to_dict()) == c


def test_the_mediation_letter_says_whom_what_and_until_when() -> None:
    from tests.printing.helpers import MEDIATION, facts_for

    facts = facts_for(DocumentKind.MEDIATION_LETTER)
    _ctx, content = build_content(
        DocumentKind.MEDIATION_LETTER, facts, doc_id="d", doc_no="n", issued_on=date(2026, 11, 22)
    )
    text = "".join(content.paragraphs)
    assert content.title == "委托调解函"
    assert content.addressee == "土默特右旗人民调解委员会："
    assert "本院于二〇二六年十一月二十日委托你方就给付借款及利息进行调解" in text
    assert "调解期限为十五日，自委托次日起算，至二〇二六年十二月七日届满" in text
    assert "在当事人自愿、平等的基础上进行，不得强迫任何一方接受调解" in text
    # Without matters recorded, what the effective document orders is what is mediated.
    bare = replace(facts, mediation=replace(MEDIATION, matters=""))
    _ctx, content = build_content(
        DocumentKind.MEDIATION_LETTER, bare, doc_id="d", doc_no="n", issued_on=date(2026, 11, 22)
    )
    assert "委托你方就被申请人履行上述义务进行调解" in "".join(content.paragraphs)
    # No pending entrustment: refused, with what to do.
    with pytest.raises(UserError, match="没有未结束的委托调解，不能出具委托调解函"):
        build_content(
            DocumentKind.MEDIATION_LETTER,
            replace(facts, mediation=None),
            doc_id="d",
            doc_no="n",
            issued_on=date(2026, 11, 22),
        )
