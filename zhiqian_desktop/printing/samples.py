"""Made-up case facts for the template editor's preview (names are placeholders, not parties)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import cast

from zhiqian_desktop.domain.kinds import (
    DocumentKind,
    PartyKind,
    PreservationKind,
    PreservationMeasure,
    ReleaseReason,
)
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.printing.documents import (
    CaseFacts,
    Installment,
    MediationFacts,
    PartyFacts,
    ServedFacts,
    SettlementFacts,
)
from zhiqian_desktop.printing.preservation_text import (
    MeasureFacts,
    PreservationFacts,
    ReleaseFacts,
)

SAMPLE_DOC_ID = "00000000-0000-4000-8000-000000000000"
SAMPLE_ISSUED_ON = date(2026, 11, 25)

_FACTS = CaseFacts(
    court_name="某某县人民法院",
    case_no="（2026）内0221执前督1号",
    original_case_no="（2026）内0221民初100号",
    original_doc_type="民事判决书",
    cause="民间借贷纠纷",
    applicants=(PartyFacts("李某某", address="某某县某某镇新华街8号"),),
    obligors=(
        PartyFacts(
            "王某某",
            address="某某县某某镇某某小区3号楼2单元501室",
            id_number="150221198001011234",
        ),
    ),
    amount_due=Decimal("12345.67"),
    amount_paid=Decimal("2000.00"),
    effective_date=date(2026, 11, 1),
    performance_deadline=date(2026, 11, 15),
    department="民事审判第一庭",
    trial_judge="赵某某",
    urging_days=15,
    urging_end=date(2026, 12, 10),
    handler="张某某",
    handler_phone="0472-8812345",
    court_account="某某县人民法院案款专户 1234 5678 9012 3456 789",
    court_address="某某县某某镇法院路1号",
    court_phone="0472-8812345",
    last_payment_date=date(2026, 11, 20),
    urging_served=True,
    settlement=SettlementFacts(
        terms="被申请人分两期向申请人支付欠款",
        installments=(
            Installment(date(2026, 12, 31), Decimal("5000.00")),
            Installment(date(2027, 1, 31), Decimal("5345.67")),
        ),
    ),
)

SAMPLE_PRESERVATION = PreservationFacts(
    ruling_no="（2026）内0221执前督1号之一",
    applicant="李某某",
    applied_on=date(2026, 11, 16),
    amount=Decimal("10345.67"),
    reason="被申请人正在出售其名下车辆，可能转移财产",
    ruled_on=date(2026, 11, 17),
    judge="赵某某",
    release_deadline=date(2026, 11, 20),
    measure=MeasureFacts(
        PreservationKind.BANK_DEPOSIT,
        PreservationMeasure.FREEZE,
        "某某银行某某支行账户6228 0000 0000 0000",
        "某某银行某某支行",
        date(2026, 11, 17),
        date(2027, 11, 17),
        Decimal("10345.67"),
    ),
)

SAMPLE_RELEASE = replace(
    SAMPLE_PRESERVATION,
    release=ReleaseFacts(
        "（2026）内0221执前督1号之二",
        SAMPLE_ISSUED_ON,  # the ruling and its notices are made the same day
        ReleaseReason.PERFORMED,
        "赵某某",
        (cast(MeasureFacts, SAMPLE_PRESERVATION.measure),),
    ),
)

SAMPLE_SERVED = ServedFacts(
    "自动履行催告书", "（2026）内0221执前督1号-催告1", "王某某", "某某县某某镇某某小区"
)


def sample_facts(
    kind: DocumentKind,
    *,
    court_name: str | None = None,
    court_account: str | None = None,
    court_address: str | None = None,
    court_phone: str | None = None,
) -> CaseFacts:
    """Sample facts under which ``kind`` may be issued, with the court's own details if given."""
    facts = replace(
        _FACTS,
        court_name=court_name or _FACTS.court_name,
        court_account=court_account or _FACTS.court_account,
        court_address=court_address or _FACTS.court_address,
        court_phone=court_phone or _FACTS.court_phone,
    )
    if kind is DocumentKind.PERFORMANCE_CERTIFICATE:
        return replace(facts, amount_paid=facts.amount_due)
    if kind is DocumentKind.MEDIATION_LETTER:
        entrusted = MediationFacts(
            "某某镇人民调解委员会", date(2026, 11, 20), 30, date(2026, 12, 21), "给付借款及利息"
        )
        return replace(facts, mediation=entrusted)
    if kind in (DocumentKind.PRESERVATION_RULING, DocumentKind.ASSISTANCE_NOTICE):
        return replace(facts, preservation=SAMPLE_PRESERVATION)
    if kind in (DocumentKind.RELEASE_RULING, DocumentKind.RELEASE_NOTICE):
        return replace(facts, preservation=SAMPLE_RELEASE)
    if kind is DocumentKind.TRANSFER_LETTER:
        return replace(facts, status=CaseStatus.FAILED, application_received_on=date(2026, 11, 24))
    if kind is DocumentKind.BANKRUPTCY_NOTICE:
        company = PartyFacts(
            "某某建材有限公司",
            kind=PartyKind.LEGAL_PERSON,
            id_number="91150221MA0000000X",
            legal_representative="王某某",
            licence_revoked=True,
        )
        return replace(facts, obligors=(company,), bankruptcy_grounds=("营业执照已被吊销",))
    return facts
