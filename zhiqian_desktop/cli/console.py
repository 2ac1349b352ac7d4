"""Running without a console: the windowed desktop build on Windows starts with ``sys.stdout`` and
``sys.stderr`` set to None, so whatever the program would print goes to the log file instead."""

from __future__ import annotations

import io
import logging
import sys

from zhiqian_desktop.store.log_file import LOGGER_NAME, setup_logging

log = logging.getLogger(f"{LOGGER_NAME}.console")


class LogStream(io.TextIOBase):
    """A text stream that writes each finished line to the log at ``level``."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level
        self._pending = ""
        self._writing = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        if self._pending:
            line, self._pending = self._pending, ""
            self._emit(line)

    def _emit(self, line: str) -> None:
        # logging reports its own failures on sys.stderr, which may be this stream: drop those
        # rather than loop.
        if self._writing or not line.strip():
            return
        self._writing = True
        try:
            log.log(self.level, "%s", line)
        finally:
            self._writing = False


def attach_missing_streams() -> bool:
    """Put a LogStream where a standard stream is missing; whether both were there."""
    if sys.stdout is not None and sys.stderr is not None:
        return True
    setup_logging()
    if sys.stdout is None:
        sys.stdout = LogStream(logging.INFO)
    if sys.stderr is None:
        sys.stderr = LogStream(logging.ERROR)
    return False
