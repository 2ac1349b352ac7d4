"""tools/check_imports.py: the package's import graph has no cycle and no module is too long.

The checker runs on small packages written here (a cycle hidden in a function, one behind
``TYPE_CHECKING``, a relative import, a long module) and on this checkout, which must be in shape.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools import check_imports

ROOT = Path(__file__).resolve().parent.parent


def package(tmp_path: Path, modules: dict[str, str]) -> Path:
    for name, source in {"__init__": "", **modules}.items():
        path = tmp_path / "zhiqian_desktop" / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(tmp_path).parents:
            init = tmp_path / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("", encoding="utf-8")
        path.write_text(source, encoding="utf-8")
    return tmp_path


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    root = package(
        tmp_path,
        {
            "services.a": "from zhiqian_desktop.services import b\n",
            "services.b": "def f():\n    from zhiqian_desktop.services.a import g\n    return g\n",
        },
    )
    problems = check_imports.report(root)
    assert problems[0] == "import cycle among 2 modules:"
    assert (
        "    zhiqian_desktop/services/a.py:1: zhiqian_desktop.services.a imports "
        "zhiqian_desktop.services.b" in problems
    )
    assert (
        "    zhiqian_desktop/services/b.py:2: zhiqian_desktop.services.b imports "
        "zhiqian_desktop.services.a" in problems
    )


def test_type_checking_and_relative_imports_count(tmp_path: Path) -> None:
    root = package(
        tmp_path,
        {
            "store.x": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .y import Y\n",
            "store.y": "from zhiqian_desktop.store.x import X\n",
            "store.z": "from zhiqian_desktop.store import x\n",
        },
    )
    assert check_imports.cycles(check_imports.build_graph(root)) == [
        ["zhiqian_desktop.store.x", "zhiqian_desktop.store.y"]
    ]


def test_a_package_importing_its_own_modules_is_no_cycle(tmp_path: Path) -> None:
    root = package(
        tmp_path,
        {
            "cli.__init__": "from zhiqian_desktop.cli.main import main\n",
            "cli.main": "from zhiqian_desktop.cli import common\n",
            "cli.common": "import argparse\n",
        },
    )
    assert check_imports.report(root) == []


def test_a_module_over_800_lines_is_reported(tmp_path: Path) -> None:
    root = package(tmp_path, {"domain.rules": "x = 1\n" * 801, "domain.short": "x = 1\n" * 800})
    assert check_imports.report(root) == [
        "zhiqian_desktop/domain/rules.py: 801 lines (at most 800); split it by what it does"
    ]


def test_this_checkout_is_in_shape() -> None:
    done = subprocess.run(
        [sys.executable, "tools/check_imports.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no import cycle, none over 800 lines" in done.stdout
