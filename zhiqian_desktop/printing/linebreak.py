"""Chinese line breaking with 避头尾: no line starts with closing and none ends with opening marks.

Widths are counted in half-width units: a Chinese character or full-width mark is 2, a Latin
letter, digit or ASCII mark is 1, so a 28-character line holds 56 units. ReportLab's own CJK
wrapping breaks anywhere, which puts '，' and '。' at the start of lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

NO_LINE_START = frozenset("，。、；：！？）］｝」》』】〕〗〙〛〉’”…—·～％‰℃,.;:!?)]}%")
"""Closing punctuation (GB/T 15834's stops, closing quotes, brackets and title marks, the
separator · and the connector ～), never the first character of a line."""

NO_LINE_END = frozenset("（［｛「《『【〔〖〘〚〈“‘([{¥￥$")
"""Opening punctuation and currency signs, never the last character of a line."""

_WORD_JOINERS = frozenset(".,:/-'%")
"""ASCII marks that stay with the letters and digits around them (12,345.67; 2026-11-25)."""

_DOUBLED = frozenset("…—")
"""Marks written doubled (…… and ——) that are never split across lines."""

WidthFn = Callable[[str], int]


@lru_cache(maxsize=8192)
def width_units(ch: str) -> int:
    """2 for wide characters (CJK, full-width and the ambiguous marks Chinese type sets wide)."""
    # Combining marks first: most (U+0300–036F) are also "ambiguous" width, yet they take none.
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F", "A"):
        return 2
    return 1


def text_units(text: str, width: WidthFn = width_units) -> int:
    return sum(width(c) for c in text)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in _WORD_JOINERS)


def punctuation_allows_break(text: str, k: int) -> bool:
    """True when a line may end before ``text[k]``: 避头尾 only."""
    return text[k] not in NO_LINE_START and text[k - 1] not in NO_LINE_END


def keeps_together(text: str, k: int) -> bool:
    """True when ``text[k-1]`` and ``text[k]`` belong to one number, word, or doubled mark."""
    a, b = text[k - 1], text[k]
    if a in _DOUBLED and a == b:
        return True
    return _is_word_char(a) and _is_word_char(b)


def break_lines(
    text: str,
    capacity: int = 56,
    *,
    first_indent: int = 0,
    width: WidthFn = width_units,
    max_pushback: int = 12,
) -> list[str]:
    """Split ``text`` into lines of at most ``capacity`` units (the first ``first_indent`` less).

    A line that would end at a forbidden point gives up characters to the next line (推出).
    Numbers and Latin words move whole to the next line unless more than ``max_pushback`` of
    their units (with the opening marks before them) are already on this one; a break violating 避头尾 happens only when no allowed point exists
    in the whole line (a run of punctuation longer than a line). Every character is kept, in
    order: ``"".join(lines) == text``.
    """
    if capacity < 2:
        raise ValueError("capacity must hold at least one wide character")
    lines: list[str] = []
    start, n = 0, len(text)
    while start < n:
        cap = capacity - (first_indent if not lines else 0)
        used, end = 0, start
        while end < n and used + width(text[end]) <= cap:
            used += width(text[end])
            end += 1
        if end == start:  # a single character wider than the line: place it alone
            end = start + 1
        if end >= n:
            lines.append(text[start:])
            break
        k = _best_break(text, start, end, width, max_pushback)
        lines.append(text[start:k])
        start = k
    return lines


def _best_break(text: str, start: int, end: int, width: WidthFn, max_pushback: int) -> int:
    """The last point before ``end`` where 避头尾 lets the line end and no number or word that
    could move whole is cut; failing that the last point 避头尾 allows; failing that ``end``."""
    fallback = end
    for k in range(end, start, -1):
        if not punctuation_allows_break(text, k):
            continue
        if not keeps_together(text, k) or _word_on_line(text, start, k, width) > max_pushback:
            return k
        if fallback == end:
            fallback = k
    return fallback


def _word_on_line(text: str, start: int, k: int, width: WidthFn) -> int:
    """Units of the number or word cut at ``k``, with the opening marks before it, on the line.

    Closing marks glued after it (13800138000……) move with it and do not count."""
    begin = k
    while begin > start and keeps_together(text, begin):
        begin -= 1
    while begin > start and text[begin - 1] in NO_LINE_END:
        begin -= 1
    return text_units(text[begin:k], width)


def line_violations(lines: list[str]) -> list[int]:
    """Indexes of lines (after the first) whose start or the previous line's end breaks 避头尾."""
    bad = []
    for i in range(1, len(lines)):
        if not lines[i] or not lines[i - 1]:
            continue
        if lines[i][0] in NO_LINE_START or lines[i - 1][-1] in NO_LINE_END:
            bad.append(i)
    return bad
