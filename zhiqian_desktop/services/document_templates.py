"""The court's own wording of its documents: list, copy, check, preview, save and restore templates.

The shipped templates stay untouched in resources/templates; the court's versions are files of the
same name in the data directory (printing/templates.py reads them first). Only an administrator
changes them; each change is an audit event with the file's SHA-256 before and after. A template
is checked (syntax, fields, a sample document drawn) before it is saved, and written atomically,
so a notice is never issued from a half-written or broken file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.documents import build_content, check_glyphs
from zhiqian_desktop.printing.samples import (
    SAMPLE_DOC_ID,
    SAMPLE_ISSUED_ON,
    SAMPLE_SERVED,
    sample_facts,
)
from zhiqian_desktop.printing.templates import (
    DocumentTemplate,
    court_templates_dir,
    default_template_path,
    parse_template,
    template_file_name,
)
from zhiqian_desktop.services import audit
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.services.notices import renderer_for
from zhiqian_desktop.services.settings import get_settings

MAX_TEMPLATE_BYTES = 200_000
"""A document's wording is a few KB; anything near this is a wrong file."""


@dataclass(frozen=True)
class TemplateInfo:
    kind: DocumentKind
    court_version: bool
    """True when the court's own copy is used instead of the shipped one."""
    path: Path

    @property
    def label(self) -> str:
        return self.kind.label


def court_template_path(kind: DocumentKind) -> Path:
    return court_templates_dir() / template_file_name(kind)


def list_templates() -> list[TemplateInfo]:
    """Every document's template, saying whether the court's version or the shipped one is used."""
    out = []
    for kind in DocumentKind:
        own = court_template_path(kind)
        used = own.is_file()
        out.append(TemplateInfo(kind, used, own if used else default_template_path(kind)))
    return out


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"文书模板“{path}”不是 UTF-8 编码的文本；请用 UTF-8 保存") from None
    except OSError as exc:
        raise UserError(f"无法读取文书模板“{path}”（{exc.strerror}）") from None


def default_text(kind: DocumentKind) -> str:
    return _read(default_template_path(kind))


def template_text(kind: DocumentKind) -> str:
    """The text in use: the court's version if there is one, else the shipped one."""
    own = court_template_path(kind)
    return _read(own) if own.is_file() else default_text(kind)


def check_template(kind: DocumentKind, text: str) -> DocumentTemplate:
    """Parse ``text`` as the court's version of ``kind``; TemplateError names line and reason."""
    if len(text.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise UserError(
            f"文书模板过大（超过{MAX_TEMPLATE_BYTES // 1000} KB）；请检查是否粘贴了其他内容"
        )
    return parse_template(kind, text, f"{template_file_name(kind)}（本院版本）")


def preview_pdf(session: Session, kind: DocumentKind, text: str) -> bytes:
    """The document drawn from ``text`` with sample case data and the court's details and fonts."""
    template = check_template(kind, text)
    settings = get_settings(session)
    facts = sample_facts(
        kind,
        court_name=settings.court_name,
        court_account=settings.court_account,
        court_address=settings.court_address,
        court_phone=settings.court_phone,
    )
    renderer = renderer_for(settings)
    context, content = build_content(
        kind,
        facts,
        doc_id=SAMPLE_DOC_ID,
        doc_no=f"{facts.case_no}-样本",
        issued_on=SAMPLE_ISSUED_ON,
        served=SAMPLE_SERVED if kind is DocumentKind.SERVICE_RECEIPT else None,
        template=template,
    )
    check_glyphs(context, renderer.fonts())
    return renderer.render(content)


def _sha(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".toml")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UserError(
            f"无法保存文书模板“{path}”（{exc.strerror}）；请检查数据目录的磁盘空间和写入权限"
        ) from None


def _record(
    session: Session,
    actor: Actor,
    action: str,
    kind: DocumentKind,
    before: str | None,
    after: str | None,
) -> None:
    audit.record_event(
        session,
        actor,
        action,
        "document_template",
        kind.value,
        before={"kind": kind.value, "sha256": _sha(before)} if before is not None else None,
        after={"kind": kind.value, "sha256": _sha(after)} if after is not None else None,
    )


def copy_to_court(session: Session, actor: Actor, kind: DocumentKind) -> Path:
    """复制为本院版本: the shipped template copied into the data directory, ready to edit."""
    actor.require_admin()
    path = court_template_path(kind)
    if path.is_file():
        raise UserError(f"“{kind.label}”已有本院版本；可直接修改，或先“恢复默认”再复制")
    text = default_text(kind)
    # The event first: a file that cannot be written rolls it back with the unit of work.
    _record(session, actor, "create", kind, None, text)
    _write_atomically(path, text)
    return path


def save_template(session: Session, actor: Actor, kind: DocumentKind, text: str) -> Path:
    """Check ``text`` (syntax, fields and a sample document), then write it as the court's version."""
    actor.require_admin()
    preview_pdf(session, kind, text)  # refuses a template that cannot make a document
    path = court_template_path(kind)
    before = _read(path) if path.is_file() else None
    _record(session, actor, "update" if before is not None else "create", kind, before, text)
    _write_atomically(path, text)
    return path


def restore_default(session: Session, actor: Actor, kind: DocumentKind) -> bool:
    """恢复默认: the court's version removed, the shipped template used again; False if none."""
    actor.require_admin()
    path = court_template_path(kind)
    if not path.is_file():
        return False
    before = _read(path)
    _record(session, actor, "delete", kind, before, None)
    try:
        path.unlink()
    except OSError as exc:
        raise UserError(f"无法删除本院版本“{path}”（{exc.strerror}）；请检查写入权限") from None
    return True
