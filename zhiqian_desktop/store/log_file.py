"""The program's log file in the user log folder: where the desktop app, and a command run without
a console (the windowed build on Windows), write what went wrong."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from zhiqian_desktop.store.locations import log_dir

LOG_FILE_NAME = "zhiqian.log"
LOGGER_NAME = "zhiqian_desktop"


def log_file_path() -> Path:
    return log_dir() / LOG_FILE_NAME


def setup_logging(folder: Path | None = None) -> Path:
    """Log to a rotating file in the user log dir (5 × 1 MB); returns the file's path."""
    path = (folder / LOG_FILE_NAME) if folder else log_file_path()
    root = logging.getLogger(LOGGER_NAME)
    for handler in list(root.handlers):
        if isinstance(handler, RotatingFileHandler):
            if Path(handler.baseFilename) == path:
                return path
            root.removeHandler(handler)
            handler.close()
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path
