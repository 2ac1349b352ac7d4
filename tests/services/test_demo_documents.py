"""Every document the workflow allows, issued for the demo cases: none says what was retired as
untrue, and every refusal is one sentence a clerk can act on."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from tests.conftest import TODAY
from tests.pdf_text import pdf_text
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.issuing import RECORD_DOCUMENTS, RETIRED_WORDING, addressee_roles
from zhiqian_desktop.domain.kinds import DocumentKind, ReleaseReason, ServiceMethod
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus
from zhiqian_desktop.services.admin.demo import generate_demo
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.supervision import (
    notices,
    preservation,
    release_documents,
    service_records,
)
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase

RETIRED = sorted(
    {"".join(p.split()) for phrases in RETIRED_WORDING.values() for p in phrases}
    # The templates' own placeholder of the old certificate is not text a PDF could carry.
    - {"确认已收到{paid_capital}"}
)
"""Every sentence retired from any template, looked for in every document."""

NEVER = (
    "人民币零元整",  # a certificate of nothing received
    "你（单位）",  # the app knows whether the party is a person or an organisation
    "None",
    "{",
    "}",
    "本院将依法",  # the warnings say what the court may do, not what it will
)

INTEREST_WAIVED = re.compile(r"(无需|不再|免于|免除)[^。；]{0,30}加倍")
"""No promise that paying now makes the doubled interest go away: only the applicant waives it."""

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _text(pdf: bytes, tmp: Path) -> str:
    return "".join(pdf_text(pdf).split())


def test_every_document_the_demo_cases_allow_says_only_what_is_true(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    report = generate_demo(db, cases=20, seed=11, today=TODAY)
    with db.reader() as s:
        cases = [
            (c.id, c.case_no, c.status)
            for c in s.scalars(
                select(SupervisionCase).where(SupervisionCase.case_no.in_(report.case_numbers))
            )
        ]
    assert {status for _, _, status in cases} >= {
        CaseStatus.REGISTERED,
        CaseStatus.SUPERVISING,
        CaseStatus.SETTLED,
        CaseStatus.PERFORMED,
        CaseStatus.FAILED,
        CaseStatus.WITHDRAWN,
    }
    # The urging notice first, served on every obligor, as the workflow goes: the warnings recite
    # that the obligor was urged.
    kinds = [DocumentKind.URGING] + [
        k for k in DocumentKind if k not in (DocumentKind.URGING, DocumentKind.SERVICE_RECEIPT)
    ]
    issued: Counter[DocumentKind] = Counter()
    refused: Counter[DocumentKind] = Counter()
    for case_id, case_no, _status in cases:
        for kind in kinds:
            try:
                with db.unit_of_work() as s:
                    document = notices.issue_notice(s, admin, case_id, kind, today=TODAY)
                    receipts = notices.issue_receipts(s, admin, document.id, today=TODAY)
                    names = [
                        p.name
                        for p in service_records.addressees_of(
                            s, service_records.find_document_by_code(s, document.id)
                        )
                    ]
                    if kind is DocumentKind.URGING:
                        for p in service_records.addressees_of(
                            s, service_records.find_document_by_code(s, document.id)
                        ):
                            service_records.record_service(
                                s, admin, document.id, ServiceMethod.DIRECT, TODAY, "张三",
                                party_id=p.id, today=TODAY,
                            )  # fmt: skip
            except UserError as exc:
                refused[kind] += 1
                message = exc.message
                # One sentence a clerk can act on: which case or document, in Chinese, one line.
                assert message and "\n" not in message and _CJK.search(message), message
                assert case_no in message or kind.label in message, message
                assert "Traceback" not in message and "None" not in message, message
                continue
            issued[kind] += 1
            # One receipt per addressee, naming them; none for a record or a letter.
            assert bool(names) == bool(addressee_roles(kind))
            assert len(receipts) == len(names)
            for receipt, name in zip(receipts, names, strict=True):
                assert f"受送达人{name}" in _text(receipt.pdf, tmp_path)
            for pdf in (document.pdf, *(r.pdf for r in receipts)):
                text = _text(pdf, tmp_path)
                for phrase in RETIRED:
                    assert phrase not in text, (case_no, kind, phrase)
                for word in NEVER:
                    assert word not in text, (case_no, kind, word)
                assert not INTEREST_WAIVED.search(text), (case_no, kind)
    # The preservation documents are refused without their record; issued from the demo's
    # rulings and the measures still in force, they too say only what is true.
    for case_id, case_no, status in cases:
        for row in preservation.case_preservations(db, case_id):
            if not row.ruled or status not in OPEN_STATUSES:
                continue
            records = [(DocumentKind.PRESERVATION_RULING, row.id)] + [
                (DocumentKind.ASSISTANCE_NOTICE, m.id) for m in row.live_measures
            ]
            for kind, record in records:
                with db.unit_of_work() as s:
                    document = notices.issue_notice(
                        s, admin, case_id, kind, today=TODAY, record_id=record
                    )
                issued[kind] += 1
                text = _text(document.pdf, tmp_path)
                assert str(row.ruling_no) in text and case_no in text
                for word in NEVER:
                    assert word not in text, (case_no, kind, word)
    # The demo's releases made by ruling, with a notice per measure; the measures still in
    # force released now on the applicant's application, with their ruling and notices.
    for case_id, case_no, status in cases:
        for row in preservation.case_preservations(db, case_id):
            released = [m for m in row.measures if m.released_on is not None]
            if not row.measures or status is CaseStatus.ARCHIVED:
                continue
            documents = (
                release_documents.issue_release(db, admin, released[0].id, today=TODAY)
                if released
                else release_documents.release_and_issue(
                    db, admin, row.id, released_on=TODAY, reason=ReleaseReason.WITHDRAWN,
                    today=TODAY,
                )
            )  # fmt: skip
            for document in documents:
                issued[document.kind] += 1
                text = _text(document.pdf, tmp_path)
                assert str(row.ruling_no) in text and documents[0].doc_no in text
                for word in NEVER:
                    assert word not in text, (case_no, document.kind, word)
    # The demo gives the rules something to allow and something to refuse for these kinds.
    assert set(issued) == set(kinds), issued
    for kind in RECORD_DOCUMENTS:
        assert refused[kind] == len(cases), kind
    for kind in (
        DocumentKind.PERFORMANCE_CERTIFICATE,
        DocumentKind.TRANSFER_LETTER,
        DocumentKind.PRE_FINE,
        DocumentKind.BANKRUPTCY_NOTICE,
    ):
        assert refused[kind] > 0, kind
