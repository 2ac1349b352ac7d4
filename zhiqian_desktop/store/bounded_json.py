"""JSON from files that come from outside (package manifests, change packages, tokens, choice
files), read with a limit on nesting.

The parser recurses once per level of nesting: a manifest of 100,000 ``[`` ends in a
RecursionError, before any signature could be checked. Every document the app writes nests a
handful of levels, so the text is scanned first (strings skipped, brackets counted) and refused
beyond ``MAX_DEPTH``; only then is it parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class TooDeep(ValueError):
    """The text nests deeper than MAX_DEPTH (a ValueError, as json.JSONDecodeError is)."""


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """The deepest nesting of arrays and objects in ``text`` (JSON), counted up to ``limit + 1``."""
    depth = deepest = 0
    for token in _BRACKET.findall(_STRING.sub("", text)):
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for outside input: UnicodeDecodeError for bytes that are not UTF-8,
    TooDeep beyond ``max_depth`` levels, json.JSONDecodeError for anything else malformed."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if nesting_depth(text, max_depth) > max_depth:
        raise TooDeep(f"JSON 嵌套超过 {max_depth} 层")
    return json.loads(text)
