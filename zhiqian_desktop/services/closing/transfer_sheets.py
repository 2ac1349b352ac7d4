"""The printed pages of a transfer package: the case summary, the supervision record, payments and
settlement, preservation and property clues, and the dossier index."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from zhiqian_desktop.domain.kinds import MESSAGE_LOGS, ContactKind, DocumentKind, PartyRole
from zhiqian_desktop.domain.money import capital_amount, format_amount
from zhiqian_desktop.domain.preservation import measure_status
from zhiqian_desktop.printing.transfer import Sheet, SheetSection, SheetTable
from zhiqian_desktop.services.closing.outcomes import (
    installment_status,
    performed_percent,
)
from zhiqian_desktop.services.closing.transfer_data import (
    MANIFEST,
    PROPERTY_WORDS,
    SCHEMA,
    CaseRecords,
    PackedFile,
    date_text,
    document_title,
    issued_day,
    local_time_text,
    money_text,
)
from zhiqian_desktop.store.models import (
    SupervisionCase,
)

# --- the sheets ---------------------------------------------------------------------------------


def parties_table(c: SupervisionCase) -> SheetTable:
    return SheetTable(
        ("诉讼地位", "姓名/名称", "证件号码", "联系电话", "住址"),
        [
            (p.role.label, p.name, p.id_number or "", p.phones or "", p.address or "")
            for p in c.parties
        ],
        (1.1, 2, 2.4, 1.8, 3),
    )


def summary_sheet(data: CaseRecords, reason: str, urging_end: date | None) -> Sheet:
    c = data.case
    outstanding = max(c.amount_due - c.amount_paid, Decimal("0.00"))
    served = [d for d in data.documents if d.kind is not DocumentKind.SERVICE_RECEIPT]
    n_served = sum(1 for d in served if data.served_on.get(d.id))
    corrected = {x.corrects_id for x in data.contacts if x.corrects_id}
    effective = [x for x in data.contacts if x.id not in corrected]
    urged = [x for x in effective if x.kind not in MESSAGE_LOGS]
    reached = sum(1 for x in urged if x.reached)
    # Messages the court sent are not contacts with the obligor: counted on their own lines.
    sent = [
        (kind.label, sum(1 for x in effective if x.kind is kind))
        for kind in (ContactKind.REMINDER, ContactKind.APPLICANT_NOTICE)
    ]
    sections = [
        SheetSection(
            "一、案件基本情况",
            fields=[
                ("本院案号", c.case_no),
                ("原审案号", f"{c.original_case_no}（{c.original_doc_type}）"),
                ("案由", c.cause),
                ("生效日期", date_text(c.effective_date) or ""),
                ("履行期限", date_text(c.performance_deadline) or ""),
                ("最后一期履行期限", date_text(c.final_installment_date) or ""),
                ("申请执行书收到日期", date_text(c.application_received_on) or ""),
                ("原审部门 / 审判员", " / ".join(x for x in (c.department, c.trial_judge) if x)),
                ("收案日期", date_text(c.received_date) or ""),
                ("承办人", data.handler),
                ("涉民生", (c.livelihood_kind or "是") if c.livelihood else "否"),
            ],
        ),
        SheetSection("二、当事人", table=parties_table(c)),
        SheetSection(
            "三、履行义务及履行情况",
            fields=[
                (
                    "给付金额",
                    f"{format_amount(c.amount_due)}（{capital_amount(c.amount_due)}）",
                ),
                ("非金钱义务", c.obligation_act or "无"),
                ("已履行", f"{format_amount(c.amount_paid)}（{len(data.payments)}笔）"),
                ("尚欠金额", f"{format_amount(outstanding)}（{capital_amount(outstanding)}）"),
                ("履行比例", f"{performed_percent(c)}%"),
                (
                    "和解协议",
                    "；".join(
                        f"{s.signed_on.isoformat()}签订，{format_amount(s.total_amount)}，"
                        f"{len(s.installments)}期，{s.status.label}"
                        for s in data.settlements
                    )
                    or "无",
                ),
            ],
        ),
        SheetSection(
            "四、督促经过",
            fields=[
                ("催告期届满", date_text(urging_end) or "未送达催告书"),
                ("督促记录", f"{len(urged)}次（联系上{reached}次）"),
                *((label, f"{n}次") for label, n in sent if n),
                ("出具文书", f"{len(served)}份（已送达{n_served}份）"),
                ("保全措施", f"{len(data.preservations)}项"),
                ("附件", f"{sum(1 for a in data.attachments if a.owner_kind != 'document')}个"),
            ],
        ),
        SheetSection(
            "五、移送执行",
            fields=[
                ("移送日期", date_text(c.closed_date) or ""),
                ("督促不成理由", reason),
            ],
        ),
    ]
    return Sheet(data.court_name, "执前督促案件情况摘要", c.case_no, sections)


def record_sheet(data: CaseRecords) -> Sheet:
    """Every event of the case in date order: receipt, calls, documents, services, payments…"""
    # (day, time of day or "" for date-only events, order within the same moment, what, text)
    events: list[tuple[str, str, int, str, str]] = []
    c = data.case
    parties = {p.id: p.name for p in c.parties}

    def at(moment: datetime) -> tuple[str, str]:
        local = moment.astimezone(data.zone)
        return local.date().isoformat(), local.strftime("%H:%M")

    events.append((c.received_date.isoformat(), "", 0, "收案", f"收案登记，案号{c.case_no}"))
    for x in data.contacts:
        who = x.contact_name or ""
        bits = [
            x.kind.label,
            f"承办人{data.names.get(x.handler_id or '', '')}" if x.handler_id else "",
            f"对象{who}" if who else "",
            x.number_or_place or "",
            "已联系上" if x.reached else "未联系上",
        ]
        text = "，".join(b for b in bits if b) + "。" + (x.summary or "")
        if x.promise_amount or x.promise_date:
            promise = " ".join(
                v for v in (money_text(x.promise_amount), date_text(x.promise_date)) if v
            )
            text += f"（承诺：{promise}）"
        if x.corrects_id:
            text += "（更正此前记录）"
        events.append((*at(x.contacted_at), 1, "督促记录", text))
    for d in data.documents:
        mark = "（已作废）" if d.voided else ""
        # A service receipt is made out after the service it proves, on the same day.
        order = 4 if d.kind is DocumentKind.SERVICE_RECEIPT else 2
        events.append(
            (
                issued_day(d, data.zone),
                "",
                order,
                "出具文书",
                f"{document_title(d)}，编号{d.doc_no}{mark}",
            )
        )
        for s in data.services.get(d.id, []):
            detail = f"{document_title(d)}（{d.doc_no}）{s.method.label}，送达人{s.server}"
            addressee = parties.get(s.party_id or "")
            if addressee:
                detail += f"，受送达人{addressee}"
            if s.recipient and s.recipient != addressee:
                detail += f"，签收人{s.recipient}"
            if s.substitute_reason:
                detail += f"，{s.substitute_reason}"
            events.append((s.served_on.isoformat(), "", 3, "送达", detail))
    for p in data.payments:
        text = f"{p.method.label} {format_amount(p.amount)}"
        if p.payer:
            text += f"，付款人{p.payer}"
        if p.overpayment_confirmed:
            text += "（确认超额履行）"
        if p.note:
            text += f"，{p.note}"
        events.append((p.paid_on.isoformat(), "", 4, "履行", text))
    for st in data.settlements:
        events.append(
            (
                st.signed_on.isoformat(),
                "",
                5,
                "和解",
                f"签订和解协议，和解金额{format_amount(st.total_amount)}，"
                f"分{len(st.installments)}期履行：{st.terms}",
            )
        )
    for pr in data.preservations:
        events.append(
            (pr.frozen_on.isoformat(), "", 6, "保全", f"{pr.kind.label}：{pr.description}")
        )
        if pr.released_on is not None:
            events.append(
                (
                    pr.released_on.isoformat(),
                    "",
                    6,
                    "解除保全",
                    f"{pr.kind.label}：{pr.description}，"
                    + measure_status(pr.released_on, pr.release_reason),
                )
            )
    if c.closed_date:
        # The transfer is the last event of its day.
        events.append(
            (c.closed_date.isoformat(), "~", 9, "移送执行", f"督促不成，移送执行：{c.close_reason}")
        )
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    rows = [
        (str(i), day + (f" {time}" if time and time != "~" else ""), kind, text)
        for i, (day, time, _, kind, text) in enumerate(events, start=1)
    ]
    return Sheet(
        data.court_name,
        "执前督促过程记录",
        c.case_no,
        [
            SheetSection(
                f"共{len(rows)}项，按时间先后排列",
                table=SheetTable(("序号", "时间", "事项", "内容"), rows, (0.6, 1.7, 1.1, 6.6)),
            )
        ],
    )


def payments_sheet(session: Session, data: CaseRecords, today: date) -> Sheet:
    c = data.case
    total = sum((p.amount for p in data.payments), Decimal("0.00"))
    sections = [
        SheetSection(
            "一、履行款",
            paragraphs=[
                f"应履行{format_amount(c.amount_due)}，已履行{format_amount(total)}，"
                f"尚欠{format_amount(max(c.amount_due - total, Decimal('0.00')))}。"
            ],
            table=SheetTable(
                ("序号", "付款日期", "金额", "方式", "付款人", "备注"),
                [
                    (
                        str(i),
                        p.paid_on.isoformat(),
                        format_amount(p.amount),
                        p.method.label,
                        p.payer or "",
                        (p.note or "") + ("（确认超额履行）" if p.overpayment_confirmed else ""),
                    )
                    for i, p in enumerate(data.payments, start=1)
                ],
                (0.6, 1.3, 1.4, 1.6, 1.6, 3),
                empty_text="无履行款记录。",
            ),
        )
    ]
    if not data.settlements:
        sections.append(SheetSection("二、和解协议", paragraphs=["本案未达成和解协议。"]))
    for n, s in enumerate(data.settlements, start=1):
        states = installment_status(session, s.id, today)
        sections.append(
            SheetSection(
                f"二、和解协议（{n}）",
                fields=[
                    ("签订日期", s.signed_on.isoformat()),
                    (
                        "和解金额",
                        f"{format_amount(s.total_amount)}（{capital_amount(s.total_amount)}）",
                    ),
                    ("主要条款", s.terms),
                    ("违约条款", s.default_clause or "无"),
                    ("担保", s.guarantee or "无"),
                    ("履行状态", s.status.label),
                ],
                table=SheetTable(
                    ("期次", "履行期限", "金额", "已付", f"截至{today.isoformat()}"),
                    [
                        (
                            str(st.seq),
                            st.due_date.isoformat(),
                            format_amount(st.amount),
                            format_amount(st.paid),
                            st.label,
                        )
                        for st in states
                    ],
                    (0.8, 1.5, 1.5, 1.5, 2.5),
                ),
            )
        )
    return Sheet(data.court_name, "履行款及和解情况", c.case_no, sections)


def property_sheet(data: CaseRecords) -> Sheet:
    c = data.case
    clues = [
        (local_time_text(x.contacted_at, data.zone), x.kind.label, x.summary)
        for x in data.contacts
        if PROPERTY_WORDS.search(x.summary or "")
    ]
    companies = [
        (
            p.name,
            money_text(p.registered_capital),
            p.licence_status.label if p.licence_status else "",
        )
        for p in c.parties
        if p.role is PartyRole.OBLIGOR and p.registered_capital is not None
    ]
    sections = [
        SheetSection(
            "一、已采取的保全措施",
            table=SheetTable(
                ("序号", "财产类型", "财产", "保全日期", "到期日", "金额"),
                [
                    (
                        str(i),
                        pr.kind.label,
                        pr.description
                        + (f"（{pr.holder}协助）" if pr.holder else "")
                        + (
                            f"；{measure_status(pr.released_on, pr.release_reason)}"
                            if pr.released_on
                            else ""
                        ),
                        pr.frozen_on.isoformat(),
                        date_text(pr.expires_on) or "",
                        money_text(pr.amount),
                    )
                    for i, pr in enumerate(data.preservations, start=1)
                ],
                (0.6, 1.3, 3.5, 1.3, 1.3, 1.4),
                empty_text="本案未采取保全措施。",
            ),
        ),
        SheetSection(
            "二、督促中了解的财产线索",
            paragraphs=["以下摘自督促记录中涉及财产、收入情况的内容，供执行立案及查控参考。"],
            table=SheetTable(
                ("时间", "方式", "内容"),
                clues,
                (1.6, 1.2, 6.5),
                empty_text="督促记录中未发现财产线索。",
            ),
        ),
    ]
    if companies:
        sections.append(
            SheetSection(
                "三、被申请人登记信息",
                table=SheetTable(("名称", "注册资本", "登记状态"), companies, (3, 2, 1.5)),
            )
        )
    return Sheet(data.court_name, "保全措施及财产线索", c.case_no, sections)


def index_sheet(data: CaseRecords, files: list[PackedFile]) -> Sheet:
    rows = [
        (
            str(i),
            f.title,
            f.path,
            str(f.pages) if f.pages is not None else "—",
            size_text(f.size),
        )
        for i, f in enumerate(files, start=1)
    ]
    return Sheet(
        data.court_name,
        "卷内目录",
        data.case.case_no,
        [
            SheetSection(
                "移送执行材料",
                table=SheetTable(
                    ("序号", "材料名称", "文件", "页数", "大小"), rows, (0.6, 3, 4.2, 0.7, 1.1)
                ),
            )
        ],
        footnote=(
            f"共{len(rows)}个文件。各文件的 SHA-256 校验值见 {MANIFEST}（格式 {SCHEMA}）；"
            "可用“zhiqian verify-package”核对材料是否完整、未被改动。"
        ),
    )


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


PAGE_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(payload: bytes) -> int | None:
    """Page count of a PDF when it can be read cheaply (object streams hide it: None)."""
    if not payload.startswith(b"%PDF"):
        return None
    n = len(PAGE_RE.findall(payload))
    return n or None
