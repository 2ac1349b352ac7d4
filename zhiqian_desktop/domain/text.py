"""Text a clerk may store: what is refused as invisible or misleading on screen and in print."""

from __future__ import annotations

import re

HIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
"""Control characters, bidi overrides/isolates, zero-width marks and lone surrogates: invisible or
misleading on screen and in print (a U+202E reverses a name), or not storable at all."""

LINE_BREAKS = re.compile("[\t\n\r]")
"""Refused in one-line fields (names, numbers), where a break would split a printed line."""
