"""Cold-start profile: what the app imports before its main window shows, and what that costs.

    python -m bench.profile_startup [--db PATH] [--top 20] [--json FILE]

Runs the start-up path of ``gui/app.py`` (QApplication, fonts, open the database, main window with
the docket page) in a fresh ``python -X importtime`` process, offscreen, and summarises the import
log: the top modules by cumulative import time, the time per top-level package, and whether a
module that is slow to import and not needed to show the window (ReportLab, openpyxl, Alembic,
argon2, qrcode) was loaded before the window showed — and through which of our modules.
Without ``--db`` a small demo database is made in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SLOW = ("reportlab", "openpyxl", "alembic", "argon2", "qrcode", "PIL", "chinese_calendar")
"""Packages that should load after the window shows (or only when their feature is used)."""

WINDOW_SCRIPT = """
import sys
from zhiqian_desktop.gui import app as gui_app  # as `zhiqian` reaches run(): the store before Qt
from PySide6.QtWidgets import QApplication
qapp = gui_app.make_application(["zhiqian"])
gui_app.apply_ui_font()
session = gui_app.open_session(sys.argv[1], defer_check=True)  # as run() does
window = gui_app.build_main_window(session)
window.show()
window.show_docket()
QApplication.processEvents()
sys.stderr.write("WINDOW-SHOWN\\n")
window.close()
session.close()
"""


@dataclass
class ImportLine:
    module: str
    self_us: int
    cumulative_us: int
    depth: int
    parent: str | None = None


def parse_importtime(stderr: str) -> list[ImportLine]:
    """The ``-X importtime`` lines up to the window mark, each with the module that imported it."""
    lines: list[ImportLine] = []
    for raw in stderr.splitlines():
        if raw.startswith("WINDOW-SHOWN"):
            break
        if not raw.startswith("import time:") or "self [us]" in raw:
            continue
        self_us, cumulative, name_raw = raw[len("import time:") :].split("|", 2)
        # One space after the bar, then two spaces per level of nesting.
        depth = (len(name_raw) - len(name_raw.lstrip(" ")) - 1) // 2
        lines.append(ImportLine(name_raw.strip(), int(self_us), int(cumulative), depth))
    # Post-order: a module's parent is the next line with a smaller depth.
    for i, line in enumerate(lines):
        for later in lines[i + 1 :]:
            if later.depth < line.depth:
                line.parent = later.module
                break
    return lines


def importer_chain(lines: list[ImportLine], module: str) -> list[str]:
    by_name = {line.module: line for line in lines}
    chain = [module]
    current = by_name.get(module)
    while current is not None and current.parent is not None:
        chain.append(current.parent)
        current = by_name.get(current.parent)
    return chain


def first_own_importer(lines: list[ImportLine], module: str) -> str | None:
    for name in importer_chain(lines, module)[1:]:
        if name.startswith("zhiqian_desktop"):
            return name
    return None


def profile(db_url: str) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.setdefault("ZHIQIAN_DATA_DIR", tempfile.mkdtemp(prefix="zhiqian-profile-"))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", WINDOW_SCRIPT, db_url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if "WINDOW-SHOWN" not in done.stderr:
        raise SystemExit("the window did not show:\n" + done.stderr[-2000:])
    lines = parse_importtime(done.stderr)
    top_level = [line for line in lines if line.depth == 0]
    packages: dict[str, int] = {}
    for line in top_level:
        root = line.module.split(".")[0]
        packages[root] = packages.get(root, 0) + line.cumulative_us
    slow = []
    for name in SLOW:
        hits = [line for line in lines if line.module == name]
        if hits:
            total = sum(
                line.cumulative_us
                for line in lines
                if (line.module == name or line.module.startswith(name + "."))
                and line.parent is not None
                and not (line.parent == name or line.parent.startswith(name + "."))
            )
            slow.append(
                {
                    "package": name,
                    "ms": round(total / 1000, 1),
                    "imported_by": first_own_importer(lines, name),
                    "chain": importer_chain(lines, name)[:6],
                }
            )
    return {
        "total_import_ms": round(sum(line.cumulative_us for line in top_level) / 1000, 1),
        "top_cumulative": [
            {"module": line.module, "ms": round(line.cumulative_us / 1000, 1)}
            for line in sorted(lines, key=lambda x: -x.cumulative_us)
        ],
        "by_package": sorted(
            ({"package": k, "ms": round(v / 1000, 1)} for k, v in packages.items()),
            key=lambda x: -x["ms"],
        ),
        "slow_before_window": slow,
    }


def _demo_url(folder: Path) -> str:
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core import settings as settings_service
    from zhiqian_desktop.store.engine import sqlite_url

    url = sqlite_url(folder / "profile.db")
    db = open_app_database(url)
    with db.unit_of_work() as s:
        settings_service.initialize(
            s, settings_service.SetupInput("土默特右旗人民法院", "内0221", "执前督")
        )
    db.dispose()
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.db is not None:
            from zhiqian_desktop.store.engine import sqlite_url

            url = sqlite_url(args.db)
        else:
            url = _demo_url(Path(tmp))
        result = profile(url)
    print(f"imports before the main window: {result['total_import_ms']:.0f} ms in total")
    print(f"\ntop {args.top} modules by cumulative import time:")
    for item in result["top_cumulative"][: args.top]:
        print(f"  {item['ms']:8.1f} ms  {item['module']}")
    print("\nby top-level package:")
    for item in result["by_package"][:12]:
        print(f"  {item['ms']:8.1f} ms  {item['package']}")
    print("\nslow packages loaded before the window shows:")
    if not result["slow_before_window"]:
        print("  none")
    for item in result["slow_before_window"]:
        print(
            f"  {item['package']:<16} {item['ms']:7.1f} ms  via {item['imported_by'] or '?'}"
            f"  ({' <- '.join(item['chain'])})"
        )
    if args.json:
        result["top_cumulative"] = result["top_cumulative"][: args.top]
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
