"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zhiqian_desktop.cli.main import main

Captured = tuple[int, str, str]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    """main() in-process; returns (exit code, stdout, stderr)."""

    def _run(*argv: str | Path) -> Captured:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _run
