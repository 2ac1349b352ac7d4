"""Writes the workbook fixtures of tests/services/test_import_formats.py: hand-over lists saved by
LibreOffice as .xls (Excel 97-2003) and as .xlsx. Needs LibreOffice (`soffice`); run from the
repository root after changing the import template:

    python tests/services/workbooks/make_workbooks.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from tests.conftest import make_case_input  # noqa: E402
from zhiqian_desktop.services.intake.import_columns import HEADERS  # noqa: E402
from zhiqian_desktop.services.intake.import_template import template_rows  # noqa: E402

HERE = Path(__file__).resolve().parent


def good_rows() -> list[list[object]]:
    rows = template_rows(make_case_input(1)) + template_rows(
        make_case_input(2, obligor="张 三", amount="8000", phone="0472-8812345")
    )
    rows[1][HEADERS.index("证件号码")] = "150221198503120015"
    return rows


def bad_rows() -> list[list[object]]:
    rows = good_rows()
    rows[1][HEADERS.index("证件号码")] = "150221198503120016"  # wrong check digit
    rows[2][HEADERS.index("标的金额")] = "一万元"
    return rows


def write(path: Path, rows: list[list[object]], merge: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "案件"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def convert(source: Path, fmt: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            ["soffice", "--headless", "--convert-to", fmt, "--outdir", out, str(source)],
            check=True,
            capture_output=True,
        )
        (made,) = Path(out).iterdir()
        shutil.move(made, target)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = write(Path(tmp) / "good.xlsx", good_rows())
        bad = write(Path(tmp) / "bad.xlsx", bad_rows(), merge="B4:B5")
        convert(good, "xls", HERE / "移交清单-LibreOffice.xls")
        convert(bad, "xls", HERE / "移交清单-有误-LibreOffice.xls")
        convert(good, "xlsx", HERE / "移交清单-LibreOffice.xlsx")
    for made in sorted(HERE.glob("移交清单*")):
        print(made.name, made.stat().st_size)


if __name__ == "__main__":
    main()
