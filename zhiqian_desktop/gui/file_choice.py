"""Choosing where a file goes or comes from: each kind of file (the docket's export, an offline kit,
a dossier, transfer material…) remembers its own last folder, the proposed name says what is
inside, and an existing file is replaced only after the clerk said so.

The dialogs are opened as instances (``exec``) rather than through the static helpers, so that
the app decides about replacing (one Chinese question, the same everywhere) and a test can drive
them like any other window.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from zhiqian_desktop.store.locations import data_dir

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def folders() -> QSettings:
    """The last folders, per user (tests redirect the data folder)."""
    return QSettings(str(data_dir() / "folders.ini"), QSettings.Format.IniFormat)


def last_folder(kind: str) -> Path:
    """Where the last file of this kind went (or came from); the Documents folder at first."""
    stored = folders().value(f"last/{kind}")
    if isinstance(stored, str) and Path(stored).is_dir():
        return Path(stored)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def remember_folder(kind: str, folder: Path) -> None:
    settings = folders()
    settings.setValue(f"last/{kind}", str(folder))
    settings.sync()


def file_name(*parts: str | None, suffix: str) -> str:
    """A file name from what the file holds (case number, tribunal, date…), safe on Windows:
    ``file_name("（2026）内0221执前督12号", "归档卷宗", suffix=".pdf")``."""
    words = [_UNSAFE.sub("-", p.strip()) for p in parts if p and p.strip()]
    return "-".join(words) + suffix


def confirm_replace(parent: QWidget | None, path: Path) -> bool:
    """Ask before an existing file is replaced (No is the default answer)."""
    answer = QMessageBox.question(
        parent,
        "替换文件",
        f"“{path.name}”已存在于{path.parent}。\n要用新文件替换它吗？原文件将被覆盖。",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


@contextmanager
def _dialog(
    parent: QWidget | None, title: str, folder: Path, file_filter: str
) -> Iterator[QFileDialog]:
    dialog = QFileDialog(parent, title, str(folder), file_filter)
    dialog.setObjectName("fileChoice")
    try:
        yield dialog
    finally:
        # Gone once answered: a file dialog left behind keeps its folder watcher thread.
        dialog.deleteLater()


def ask_save_path(
    parent: QWidget | None, kind: str, title: str, name: str, file_filter: str
) -> Path | None:
    """Where to save a new file of ``kind``, proposed as ``name`` in the kind's last folder;
    None if the clerk cancelled or would not replace an existing file."""
    suffix = Path(name).suffix
    with _dialog(parent, title, last_folder(kind), file_filter) as dialog:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
        if suffix:
            dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.selectFile(name)
        if not dialog.exec() or not dialog.selectedFiles():
            return None
        path = Path(dialog.selectedFiles()[0])
    if suffix and path.suffix.lower() != suffix.lower():
        path = path.with_name(path.name + suffix)
    remember_folder(kind, path.parent)
    if path.exists() and not confirm_replace(parent, path):
        return None
    return path


def ask_open_path(parent: QWidget | None, kind: str, title: str, file_filter: str) -> Path | None:
    with _dialog(parent, title, last_folder(kind), file_filter) as dialog:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        if not dialog.exec() or not dialog.selectedFiles():
            return None
        path = Path(dialog.selectedFiles()[0])
    remember_folder(kind, path.parent)
    return path


def ask_folder(parent: QWidget | None, kind: str, title: str) -> Path | None:
    with _dialog(parent, title, last_folder(kind), "") as dialog:
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        if not dialog.exec() or not dialog.selectedFiles():
            return None
        folder = Path(dialog.selectedFiles()[0])
    remember_folder(kind, folder)
    return folder
