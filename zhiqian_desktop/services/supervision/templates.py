"""The court's own wording of its documents: list, copy, check, preview, save and restore templates.

The shipped templates stay untouched in resources/templates; the court's versions are rows of the
``court_template`` table, so every desk working on the same database (a court server, an offline
kit) prints the same wording. printing/templates.py never reads the database: ``template_for``
reads the court's text here and hands it in. Only an administrator changes them; each change is
an audit event with the text's SHA-256 before and after. A template is checked (syntax, fields, a
sample document drawn) before it is written, in the caller's transaction, so a notice is never
issued from a broken one.

Before the templates were kept in the database they were files in ``<data dir>/templates``;
``take_in_court_files`` moves the valid ones into the database once (see its docstring).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import StaleEditError, UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.documents import build_content, check_glyphs
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.renderer import NoticeRenderer
from zhiqian_desktop.printing.samples import (
    SAMPLE_DOC_ID,
    SAMPLE_ISSUED_ON,
    SAMPLE_SERVED,
    sample_facts,
)
from zhiqian_desktop.printing.templates import (
    DocumentTemplate,
    check_wording,
    court_source,
    default_template_path,
    load_template,
    parse_template,
    template_file_name,
)
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import SYSTEM, Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.store import renames
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.locations import legacy_templates_dir
from zhiqian_desktop.store.models import CourtSettings, CourtTemplate
from zhiqian_desktop.store.types import utcnow

log = logging.getLogger(__name__)

MAX_TEMPLATE_BYTES = 200_000
"""A document's wording is a few KB; anything near this is a wrong file."""
IMPORTED_SUFFIX = ".imported"
"""An old court file taken into the database is renamed ``urging.toml.imported``."""
UNUSED_SUFFIX = ".unused"
"""An old court file not taken because the database already had that court version."""


@dataclass(frozen=True)
class TemplateInfo:
    kind: DocumentKind
    court_version: bool
    """True when the court's own version is used instead of the shipped one."""
    updated_at: datetime | None = None
    updated_by: str | None = None
    """Who saved the court's version last, and when (None for the shipped one)."""

    @property
    def label(self) -> str:
        return self.kind.label


def _row(session: Session, kind: DocumentKind) -> CourtTemplate | None:
    return session.get(CourtTemplate, kind.value)


def court_text(session: Session, kind: DocumentKind) -> str | None:
    """The court's version of ``kind`` as stored in the database; None when there is none."""
    row = _row(session, kind)
    return row.text if row is not None else None


def template_for(session: Session, kind: DocumentKind) -> DocumentTemplate:
    """The template a document of ``kind`` is issued from: the court's version, else the shipped
    one. Parsing is cached by the text, so a batch reads one short row per notice."""
    return load_template(kind, court_text(session, kind))


@reads
def list_templates(session: Session) -> list[TemplateInfo]:
    """Every document's template, saying whether the court's version or the shipped one is used."""
    rows = {r.kind: r for r in session.scalars(select(CourtTemplate))}
    out = []
    for kind in DocumentKind:
        row = rows.get(kind.value)
        if row is None:
            out.append(TemplateInfo(kind, False))
        else:
            out.append(TemplateInfo(kind, True, row.updated_at, row.updated_by))
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


@reads
def template_text(session: Session, kind: DocumentKind) -> str:
    """The text in use: the court's version if there is one, else the shipped one."""
    own = court_text(session, kind)
    return own if own is not None else default_text(kind)


@dataclass(frozen=True)
class TemplateView:
    """One template as the editor opens it: which version is in use, and its text."""

    info: TemplateInfo
    text: str


@reads
def template_view(session: Session, kind: DocumentKind) -> TemplateView:
    info = next(t for t in list_templates(session) if t.kind is kind)
    return TemplateView(info, template_text(session, kind))


def check_template(kind: DocumentKind, text: str) -> DocumentTemplate:
    """Parse ``text`` as the court's version of ``kind``; TemplateError names line and reason."""
    if len(text.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise UserError(
            f"文书模板过大（超过{MAX_TEMPLATE_BYTES // 1000} KB）；请检查是否粘贴了其他内容"
        )
    return parse_template(kind, text, court_source(kind))


@reads
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


def renderer_for(settings: CourtSettings) -> NoticeRenderer:
    """The renderer of the court's documents, with the print fonts it has chosen."""
    return NoticeRenderer(load_print_fonts(settings.print_font_body, settings.print_font_title))


def _sha(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None


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


@writes
def copy_to_court(session: Session, actor: Actor, kind: DocumentKind) -> None:
    """复制为本院版本: the shipped template stored as the court's version, ready to edit."""
    actor.require_admin()
    if _row(session, kind) is not None:
        raise UserError(f"“{kind.label}”已有本院版本；可直接修改，或先“恢复默认”再复制")
    text = default_text(kind)
    session.add(CourtTemplate(kind=kind.value, text=text, updated_by=actor.username))
    _record(session, actor, "create", kind, None, text)


@writes
def save_template(
    session: Session, actor: Actor, kind: DocumentKind, text: str, *, base: str | None = None
) -> None:
    """Check ``text`` (syntax, fields and a sample document), then store it as the court's version.

    ``base`` is the court's text the edit started from (the editor passes it): when another desk
    has saved or removed the court's version since, the save is refused rather than overwriting
    that change unseen."""
    actor.require_admin()
    check_wording(kind, text)
    preview_pdf(session, kind, text)  # refuses a template that cannot make a document
    row = _row(session, kind)
    before = row.text if row is not None else None
    if base is not None and before != base:
        raise StaleEditError(
            f"“{kind.label}”的本院版本在您打开之后已被他人"
            f"{'修改' if before is not None else '恢复为内置模板'}；您的修改未保存，仍保留在编辑框中，"
            "请复制留存后重新打开该模板再修改"
        )
    if row is None:
        session.add(CourtTemplate(kind=kind.value, text=text, updated_by=actor.username))
    else:
        row.text, row.updated_at, row.updated_by = text, utcnow(), actor.username
    _record(session, actor, "update" if before is not None else "create", kind, before, text)


@writes
def restore_default(session: Session, actor: Actor, kind: DocumentKind) -> bool:
    """恢复默认: the court's version removed, the shipped template used again; False if none."""
    actor.require_admin()
    row = _row(session, kind)
    if row is None:
        return False
    _record(session, actor, "delete", kind, row.text, None)
    session.delete(row)
    return True


# --- the court's files from before the templates were kept in the database ---------------------


@dataclass
class FileImport:
    """What ``take_in_court_files`` did with each old file (file names)."""

    imported: list[str] = field(default_factory=list)
    already_in_database: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    """File name → the reason (line and message) it was not taken."""


def take_in_court_files(db: Database, folder: Path | None = None) -> FileImport:
    """Take the court's template files of an earlier version into the database, once.

    A valid ``<kind>.toml`` whose kind has no court version in the database yet becomes that
    version (an audit event by 系统) and the file is renamed ``….toml.imported``; if the database
    already has one (another desk's file came first, or an administrator saved one) the database
    wins and the file is renamed ``….toml.unused``. Renaming rather than deleting keeps the court's
    text at hand; renaming rather than leaving it means a later 恢复默认 is not undone by the
    file at the next start. A file that fails the check stays as it is, is reported in the log
    at every start, and is taken once it is corrected (or deleted). Costs one folder listing when
    there is nothing to do.
    """
    folder = folder if folder is not None else legacy_templates_dir()
    report = FileImport()
    if not folder.is_dir():
        return report
    kinds = {template_file_name(k): k for k in DocumentKind}
    for path in sorted(folder.glob("*.toml")):
        if path.name.startswith("."):  # a temporary file the old editor left behind
            continue
        kind = kinds.get(path.name)
        if kind is None or not path.is_file():
            report.refused[path.name] = "文件名不是任何文书的模板名"
            continue
        try:
            text = _read(path)
            check_template(kind, text)
        except UserError as exc:
            report.refused[path.name] = exc.message
            continue
        try:
            with db.unit_of_work() as session:
                taken = _row(session, kind) is None
                if taken:
                    session.add(
                        CourtTemplate(kind=kind.value, text=text, updated_by=SYSTEM.username)
                    )
                    _record(session, SYSTEM, "import", kind, None, text)
        except IntegrityError:  # another desk took its own file at the same moment
            taken = False
        (report.imported if taken else report.already_in_database).append(path.name)
        suffix = IMPORTED_SUFFIX if taken else UNUSED_SUFFIX
        try:
            renames.replace_path(path, path.with_name(path.name + suffix))
        except OSError as exc:
            log.warning("文书模板文件“%s”无法改名（%s）；下次启动时会再次核对", path, exc.strerror)
    for name in report.imported:
        log.info(
            "本院文书模板“%s”（%s）已存入数据库，各台电脑共用；原文件改名为 %s%s",
            name,
            folder,
            name,
            IMPORTED_SUFFIX,
        )
    for name in report.already_in_database:
        log.info(
            "本院文书模板“%s”未导入：数据库中已有该文书的本院版本；原文件改名为 %s%s",
            name,
            name,
            UNUSED_SUFFIX,
        )
    for name, reason in report.refused.items():
        log.warning(
            "本院文书模板“%s”（%s）未导入数据库：%s；请改正后重新启动，或删除该文件",
            name,
            folder,
            reason,
        )
    return report
