"""A document re-opened while the PDF reader still has the previous copy open. On Windows the
reader holds its file: replacing it fails with WinError 32 (simulated here by refusing every
rename onto the held file the way Windows does), which must not reach the clerk as a crash."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.services.closing import batch_print
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import notices
from zhiqian_desktop.store import renames
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.files import write_for_viewer


def hold_open(monkeypatch: pytest.MonkeyPatch, held: set[Path]) -> list[Path]:
    """Refuse renames onto ``held`` as Windows does for a file a PDF reader has open."""
    monkeypatch.setattr(renames, "PAUSES", (0.001,))
    tried: list[Path] = []
    real: Callable[..., None] = os.replace

    def replace(src: object, dst: object) -> None:
        target = Path(os.fspath(dst))  # type: ignore[call-overload]
        tried.append(target)
        if target in held:
            exc = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(target))
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return tried


def issue(db: Database, admin: Actor) -> str:
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(), today=TODAY)
    with db.unit_of_work() as s:
        return notices.issue_notice(s, admin, case.id, DocumentKind.URGING, today=TODAY).id


def test_reopening_a_document_held_by_the_reader_reuses_the_same_file(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    document_id = issue(db, admin)
    first = batch_print.document_printout(db, document_id)
    tried = hold_open(monkeypatch, {first})
    again = batch_print.document_printout(db, document_id)
    assert again == first
    assert first not in tried  # the same content: not written again
    with db.reader() as s:
        assert again.read_bytes() == notices.stored_pdf(s, document_id)


def test_a_different_content_goes_to_a_new_name_beside_the_held_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    held = tmp_path / "（2026）内0221执前督1号.pdf"
    held.write_bytes(b"%PDF old")
    hold_open(monkeypatch, {held})
    written = write_for_viewer(held, b"%PDF new")
    assert written == tmp_path / "（2026）内0221执前督1号-2.pdf"
    assert written.read_bytes() == b"%PDF new"
    assert held.read_bytes() == b"%PDF old"
    assert write_for_viewer(held, b"%PDF new") == written  # and that one is reused next time


def test_a_disk_failure_is_a_message_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "磁盘空间不足。")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(UserError) as refused:
        write_for_viewer(tmp_path / "文书.pdf", b"%PDF")
    assert "磁盘空间不足" in refused.value.message and "文书.pdf" in refused.value.message
    assert list(tmp_path.iterdir()) == []
