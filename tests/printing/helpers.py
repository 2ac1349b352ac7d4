"""Realistic case facts and PDF inspection: text through PDFium, fonts through poppler (pdffonts)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import cast

from tests.pdf_text import needs_poppler
from tests.pdf_text import pdf_text as pdf_text_of
from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind, ReleaseReason
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.printing.documents import CaseFacts, MediationFacts, PartyFacts, ServedFacts
from zhiqian_desktop.printing.preservation_text import MeasureFacts, ReleaseFacts
from zhiqian_desktop.printing.samples import SAMPLE_PRESERVATION

DOC_ID = "0b8e2f0e-1111-4222-8333-444455556666"

FACTS = CaseFacts(
    court_name="土默特右旗人民法院",
    case_no="（2026）内0221执前督12号",
    original_case_no="（2026）内0221民初1号",
    original_doc_type="判决书",
    cause="民间借贷纠纷",
    applicants=(PartyFacts("李某", address="土默特右旗萨拉齐镇新华街8号"),),
    obligors=(
        PartyFacts(
            "王某某",
            address="土默特右旗萨拉齐镇某某小区3号楼2单元501室",
            id_number="150221198001011234",
        ),
    ),
    amount_due=Decimal("12345.67"),
    effective_date=date(2026, 11, 1),
    department="民事审判第一庭",
    handler="张法官",
    court_phone="0472-8812345",
    urging_served=True,
)

SERVED = ServedFacts("自动履行催告书", "（2026）内0221执前督12号-催告1", "王某某", "某某小区")


MEDIATION = MediationFacts(
    "土默特右旗人民调解委员会", date(2026, 11, 20), 15, date(2026, 12, 7), "给付借款及利息"
)


PRESERVATION = replace(
    SAMPLE_PRESERVATION,
    ruling_no="（2026）内0221执前督12号之一",
    applicant="李某",
    amount=Decimal("12345.67"),
    ruled_on=date(2026, 11, 19),
    measure=replace(
        cast(MeasureFacts, SAMPLE_PRESERVATION.measure),
        holder="中国农业银行土默特右旗支行",
        amount=Decimal("12345.67"),
    ),
)
"""The editor's sample ruling, for this case: the whole amount preserved, dated 19 November."""

RELEASE = replace(
    PRESERVATION,
    release=ReleaseFacts(
        "（2026）内0221执前督12号之二",
        date(2026, 11, 21),
        ReleaseReason.SECURITY,
        "赵某某",
        (cast(MeasureFacts, PRESERVATION.measure),),
    ),
)
"""The release of that ruling's one measure on 21 November, the obligor having given security."""


def facts_for(kind: DocumentKind) -> CaseFacts:
    """FACTS adjusted so that ``kind`` may be issued (paid in full, a company obligor…)."""
    if kind is DocumentKind.PERFORMANCE_CERTIFICATE:
        return replace(FACTS, amount_paid=FACTS.amount_due, last_payment_date=date(2026, 11, 20))
    if kind is DocumentKind.TRANSFER_LETTER:
        return replace(FACTS, status=CaseStatus.FAILED, application_received_on=date(2026, 11, 20))
    if kind is DocumentKind.BANKRUPTCY_NOTICE:
        company = PartyFacts("包头市某某建材有限公司", kind=PartyKind.LEGAL_PERSON)
        return replace(FACTS, obligors=(company,), bankruptcy_grounds=("营业执照已被吊销",))
    if kind is DocumentKind.MEDIATION_LETTER:
        return replace(FACTS, mediation=MEDIATION)
    if kind in (DocumentKind.PRESERVATION_RULING, DocumentKind.ASSISTANCE_NOTICE):
        return replace(FACTS, preservation=PRESERVATION)
    if kind in (DocumentKind.RELEASE_RULING, DocumentKind.RELEASE_NOTICE):
        return replace(FACTS, preservation=RELEASE)
    return FACTS


def pdf_text(pdf: bytes, tmp: Path, *, first: int | None = None, last: int | None = None) -> str:
    return pdf_text_of(pdf, first=first, last=last)


def flat(text: str) -> str:
    """Extracted text without line breaks and spaces, so phrases broken across lines match."""
    return "".join(text.split())


def pdf_fonts(pdf: bytes, tmp: Path) -> list[list[str]]:
    needs_poppler("pdffonts")
    path = tmp / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, timeout=30)
    rows = out.stdout.decode("utf-8").splitlines()[2:]
    return [row.split() for row in rows if row.strip()]


def page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")


def text_chars(pdf: bytes, page: int = 0) -> list[tuple[str, str, float, float, float, float]]:
    """Every character PDFium reads on ``page``: (character, font name, left, bottom, right, top)
    with the glyph's tight box in PDF points (origin at the page's bottom left)."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(pdf)
    try:
        textpage = doc[page].get_textpage()
        out = []
        buffer = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        for i in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage, i)
            if code in (0, 0xFFFE, 0xFFFF) or 0xDC00 <= code <= 0xDFFF:
                continue
            if 0xD800 <= code <= 0xDBFF:
                low = raw.FPDFText_GetUnicode(textpage, i + 1)
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            size = raw.FPDFText_GetFontInfo(textpage, i, buffer, 256, ctypes.byref(flags))
            name = buffer.raw[: max(size - 1, 0)].decode("utf-8", "replace")
            raw.FPDFText_GetCharBox(
                textpage,
                i,
                ctypes.byref(left),
                ctypes.byref(right),
                ctypes.byref(bottom),
                ctypes.byref(top),
            )
            out.append((chr(code), name, left.value, bottom.value, right.value, top.value))
        return out
    finally:
        doc.close()


def fonts_of(pdf: bytes, needle: str, page: int = 0) -> set[str]:
    """The font names of the characters of ``needle`` where it first appears on ``page``."""
    chars = [c for c in text_chars(pdf, page) if not c[0].isspace()]
    text = "".join(c[0] for c in chars)
    at = text.find(needle)
    assert at >= 0, f"“{needle}” not found in {text[:200]}"
    return {c[1] for c in chars[at : at + len(needle)]}
