"""packaging/trim_icu.py keeps the ICU data Qt reads for a Chinese desktop (collation, case mapping,
GB 18030, time-zone names) and leaves out what Qt never calls, which the build's size depends on."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

from trim_icu import keep_item  # noqa: E402


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ("icudt73l/coll/zh.res", True),  # pinyin order
        ("icudt73l/coll/root.res", True),
        ("icudt73l/coll/ucadata.icu", True),
        ("icudt73l/zh_Hans_CN.res", True),
        ("icudt73l/en_US_POSIX.res", True),
        ("icudt73l/gb18030.cnv", True),
        ("icudt73l/zone/zh.res", True),
        ("icudt73l/metaZones.res", True),
        ("icudt73l/cnvalias.icu", True),
        ("icudt73l/coll/sv.res", False),
        ("icudt73l/ja.res", False),
        ("icudt73l/ibm-943_P15A-2003.cnv", False),
        ("icudt73l/translit/Han_Latin.res", False),
        ("icudt73l/brkitr/cjdict.dict", False),
        ("icudt73l/brkitr/word.brk", False),
        ("icudt73l/brkitr/zh.res", False),
    ],
)
def test_items_kept_and_left_out(item: str, kept: bool) -> None:
    assert keep_item(item) is kept


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("nm") is None,
    reason="needs Linux and nm (binutils)",
)
def test_qt_core_calls_no_icu_break_iterator() -> None:
    """The break-iteration data is left out because Qt finds text boundaries itself: should a Qt
    release call ICU's break iterators, this fails before a clerk's line breaks do."""
    import PySide6

    core = Path(PySide6.__file__).parent / "Qt" / "lib" / "libQt6Core.so.6"
    listed = subprocess.run(
        ["nm", "-D", "--undefined-only", str(core)], capture_output=True, text=True, check=True
    )
    versioned = (
        re.fullmatch(r"(\w+)_\d+", line.split()[-1]) for line in listed.stdout.splitlines()
    )
    icu = {found[1] for found in versioned if found}  # ICU's names end in its version: ucol_open_73
    assert {"ucol_open", "ucol_strcoll", "ucnv_open", "u_strToUpper"} <= icu, sorted(icu)
    assert not [name for name in icu if name.startswith(("ubrk_", "utext_", "u_strToTitle"))]
