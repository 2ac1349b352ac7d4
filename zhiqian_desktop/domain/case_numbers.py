"""The team's case numbers, （年份）+ court code + case word + sequence + 号, in one place."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from zhiqian_desktop.domain.errors import UserError

PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼内兵"
"""Court codes begin with a province abbreviation; 内 (Inner Mongolia) and 兵 (XPCC) included."""

MIN_YEAR = 2000
MAX_YEAR = 2099
"""Bounds that catch typos such as 0226 or 2206; the team's own numbers are all of this century."""

EXAMPLE = "（2026）内0221执前督12号"

_HAN = "\u4e00-\u9fff"
_COURT_RE = re.compile(rf"[{PROVINCE_CHARS}][0-9]{{2,4}}")
_WORD_RE = re.compile(rf"[{_HAN}]{{2,6}}")
_CASE_NUMBER_RE = re.compile(
    rf"[（(](?P<year>[0-9]{{4}})[）)]"
    rf"(?P<court>[{PROVINCE_CHARS}][0-9]{{2,4}})"
    rf"(?P<word>[{_HAN}]{{2,6}})"
    r"(?P<seq>[0-9]{1,9})号"
)


@dataclass(frozen=True)
class CaseNumber:
    year: int
    court_code: str
    case_word: str
    seq: int

    def __str__(self) -> str:
        return f"（{self.year}）{self.court_code}{self.case_word}{self.seq}号"


def validate_court_code(code: str) -> str:
    """Return the stripped court code, e.g. 内0221, or raise a UserError."""
    value = code.strip()
    if not _COURT_RE.fullmatch(value):
        raise UserError(
            f"法院代字“{code}”格式不正确；应为省份简称加2至4位数字，如 内0221、京01、苏0585",
            field="court_code",
        )
    return value


def validate_case_word(word: str) -> str:
    """Return the stripped case type word, e.g. 执前督, or raise a UserError."""
    value = word.strip()
    if not _WORD_RE.fullmatch(value):
        raise UserError(
            f"案件类型代字“{word}”格式不正确；应为2至6个汉字，如 执前督、执前调",
            field="case_word",
        )
    return value


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UserError(
            f"案号年份“{year}”不正确；应为{MIN_YEAR}至{MAX_YEAR}之间的四位年份，如 {EXAMPLE}",
            field="year",
        )


def _check_seq(seq: int) -> None:
    if seq < 1:
        raise UserError(f"案号序号“{seq}”不正确；序号从1开始，如 {EXAMPLE}", field="seq")


def format_case_number(year: int, court_code: str, case_word: str, seq: int) -> str:
    """The canonical form with full-width parentheses, after checking every part."""
    _check_year(year)
    _check_seq(seq)
    return str(
        CaseNumber(year, validate_court_code(court_code), validate_case_word(case_word), seq)
    )


def parse_case_number(text: str) -> CaseNumber:
    """Read a case number typed with full- or half-width parentheses."""
    match = _CASE_NUMBER_RE.fullmatch(text.strip())
    if match is None:
        raise UserError(
            f"案号“{text}”格式不正确；应为（年份）+法院代字+类型代字+序号+号，如 {EXAMPLE}",
            field="case_no",
        )
    year = int(match["year"])
    seq = int(match["seq"])
    _check_year(year)
    _check_seq(seq)
    return CaseNumber(year, match["court"], match["word"], seq)


ORIGINAL_EXAMPLE = "（2026）内0221民初123号"


def validate_original_case_number(text: str) -> str:
    """An original case number (原审案号), the number of the judgment or mediation document
    being enforced: a court case number in the same grammar as the team's own (year in
    parentheses, court code, case type word, sequence, 号). Returned in the canonical form, with
    full-width parentheses."""
    try:
        return str(parse_case_number(text))
    except UserError:
        raise UserError(
            f"原审案号“{text.strip()}”不是案号；应为（年份）+法院代字+案件类型代字+序号+号，"
            f"如 {ORIGINAL_EXAMPLE}",
            field="original_case_no",
        ) from None


def next_sequence(last_seq: int | None, reserved: Iterable[tuple[int, int]] = ()) -> int:
    """The sequence to issue after the highest one ever issued this year.

    Blocks handed to offline kits are skipped so a tribunal's numbers never collide with the
    court's. Numbers are never reused, so gaps left by deleted cases are not filled.
    """
    if last_seq is not None and last_seq < 0:
        raise UserError(f"已用最大序号“{last_seq}”不正确；序号不能为负数")
    blocks = sorted(reserved)
    for first, last in blocks:
        if first < 1 or last < first:
            raise UserError(
                f"预留案号段“{first}-{last}”不正确；起号应不小于1且不大于止号，如 101-150"
            )
    candidate = (last_seq or 0) + 1
    # Sorted blocks let one pass handle touching and overlapping blocks.
    for first, last in blocks:
        if first <= candidate <= last:
            candidate = last + 1
    return candidate
