"""Where the app keeps its files: the user data directory (platformdirs) and folders beside a database."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path, user_log_path

from zhiqian_desktop.store.private import make_private_folder

APP_NAME = "ZhiqianDesktop"
APP_AUTHOR = "Zhiqian"
DATA_DIR_ENV = "ZHIQIAN_DATA_DIR"


def data_dir() -> Path:
    """The user data directory; ZHIQIAN_DATA_DIR overrides it (tests, portable installs)."""
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) if override else user_data_path(APP_NAME, APP_AUTHOR)
    make_private_folder(path)
    return path


def legacy_templates_dir() -> Path:
    """Where earlier versions kept the court's edited templates (one folder per desk)."""
    return data_dir() / "templates"


def log_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) / "logs" if override else user_log_path(APP_NAME, APP_AUTHOR)
    make_private_folder(path)
    return path


def default_database_path() -> Path:
    return data_dir() / "zhiqian.db"


def backups_dir(database: Path) -> Path:
    return database.parent / "backups"


def attachments_dir(database: Path) -> Path:
    return database.parent / f"{database.stem}-files"


def audit_key_path(database: Path) -> Path:
    """The court secret that keys the audit chain: outside the database, in the folder of files
    that travels with it (the attachments folder)."""
    return attachments_dir(database) / "audit.key"


def audit_heads_path(database: Path) -> Path:
    """Where the chain's head is recorded at each backup, export and restore."""
    return attachments_dir(database) / "audit-heads.jsonl"
