"""The court's own template wording, kept in the database: copy, check with line and reason, save,
issue, restore — seen alike from every desk — and the files of earlier versions taken in once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import TODAY, make_case_input
from tests.printing.helpers import flat, pdf_text
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import DocumentKind, Role
from zhiqian_desktop.printing.templates import TemplateError
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import verify_chain
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import notices, templates
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.locations import DATA_DIR_ENV
from zhiqian_desktop.store.models import AuditEvent, CourtTemplate

KIND = DocumentKind.URGING


def _events(db: Database) -> list[tuple[str, str]]:
    with db.reader() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "document_template")
            .order_by(AuditEvent.seq)
        )
        return [(e.action, e.entity_id) for e in rows]


def _stored(db: Database) -> dict[str, str]:
    with db.reader() as s:
        return {r.kind: r.text for r in s.scalars(select(CourtTemplate))}


def _text(db: Database, kind: DocumentKind = KIND) -> str:
    with db.reader() as s:
        return templates.template_text(s, kind)


def _info(db: Database, kind: DocumentKind = KIND) -> templates.TemplateInfo:
    with db.reader() as s:
        return {t.kind: t for t in templates.list_templates(s)}[kind]


def test_copy_edit_save_issue_and_restore(db: Database, admin: Actor, tmp_path) -> None:
    with db.reader() as s:
        assert not any(t.court_version for t in templates.list_templates(s))
    with db.unit_of_work() as s:
        templates.copy_to_court(s, admin, KIND)
    assert _stored(db) == {KIND.value: templates.default_text(KIND)}
    info = _info(db)
    assert info.court_version and info.updated_by == admin.username
    with pytest.raises(UserError, match="已有本院版本"), db.unit_of_work() as s:
        templates.copy_to_court(s, admin, KIND)

    text = _text(db).replace("特此催告。", "特此催告，望自觉履行。")
    with db.unit_of_work() as s:
        templates.save_template(s, admin, KIND, text)
    assert _text(db) == text
    # Nothing of it is a file in the desk's data folder any more.
    assert not templates.legacy_templates_dir().exists()

    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    with db.unit_of_work() as s:
        issued = notices.issue_notice(s, admin, case_id, KIND, today=TODAY)
    assert "特此催告，望自觉履行。" in flat(pdf_text(issued.pdf, tmp_path))

    with db.unit_of_work() as s:
        assert templates.restore_default(s, admin, KIND)
    assert _stored(db) == {} and _text(db) == templates.default_text(KIND)
    with db.unit_of_work() as s:
        assert not templates.restore_default(s, admin, KIND)
    assert _events(db) == [("create", KIND.value), ("update", KIND.value), ("delete", KIND.value)]
    with db.reader() as s:
        assert verify_chain(s).ok


@pytest.mark.parametrize(
    ("edit", "line", "reason"),
    [
        (lambda t: t.replace("{obligor}：", "{debtor}："), 4, "未知的字段"),
        (lambda t: t.replace('title = "自动履行催告书"', 'title = "自动履行催告书'), 3, "格式有误"),
        (lambda t: t.replace("特此催告。", "特此{催告。"), None, "花括号"),
    ],
)
def test_a_broken_template_is_refused_with_its_line(
    db: Database, admin: Actor, edit, line: int | None, reason: str
) -> None:
    text = edit(templates.default_text(KIND))
    with pytest.raises(TemplateError) as err, db.unit_of_work() as s:
        templates.save_template(s, admin, KIND, text)
    assert reason in err.value.message
    if line is not None:
        assert err.value.line == line and f"第{line}行" in err.value.message
    assert _stored(db) == {}
    assert _events(db) == []


def test_a_broken_edit_of_the_courts_version_leaves_the_stored_one(
    db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        templates.copy_to_court(s, admin, KIND)
    broken = templates.default_text(KIND).replace("{obligor}：", "{debtor}：")
    with pytest.raises(TemplateError, match="第4行"), db.unit_of_work() as s:
        templates.save_template(s, admin, KIND, broken)
    assert _stored(db) == {KIND.value: templates.default_text(KIND)}
    assert _events(db) == [("create", KIND.value)]


def test_preview_draws_the_sample_document_with_the_court_name(db: Database, tmp_path) -> None:
    for kind in DocumentKind:
        with db.reader() as s:
            pdf = templates.preview_pdf(s, kind, templates.default_text(kind))
        assert pdf.startswith(b"%PDF-")
    with db.reader() as s:
        pdf = templates.preview_pdf(s, KIND, templates.default_text(KIND))
    text = flat(pdf_text(pdf, tmp_path))
    assert "王某某" in text and "自动履行催告书" in text


@pytest.mark.parametrize("role", [Role.LEAD, Role.HANDLER, Role.READONLY])
def test_only_an_administrator_changes_templates(db: Database, admin: Actor, role: Role) -> None:
    with db.unit_of_work() as s:
        someone = actor_for(
            create_user(s, admin, username="someone", display_name="某人", role=role)
        )
    for action in (
        lambda s: templates.copy_to_court(s, someone, KIND),
        lambda s: templates.save_template(s, someone, KIND, templates.default_text(KIND)),
        lambda s: templates.restore_default(s, someone, KIND),
    ):
        with pytest.raises(PermissionDenied, match="管理员"), db.unit_of_work() as s:
            action(s)
    assert _stored(db) == {}


# --- two desks on one database -------------------------------------------------------------------


@pytest.fixture
def desks(db: Database) -> Iterator[tuple[Database, Database]]:
    """Two desks on the same database (two connections, two data folders of their own)."""
    second = open_app_database(db.url)
    yield db, second
    second.dispose()


def at_desk(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    home.mkdir(exist_ok=True)
    monkeypatch.setenv(DATA_DIR_ENV, str(home))


def test_the_courts_wording_saved_at_one_desk_is_printed_at_another(
    desks: tuple[Database, Database],
    admin: Actor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    one, two = desks
    at_desk(monkeypatch, tmp_path / "desk-1")
    text = templates.default_text(KIND).replace("特此催告。", "特此催告，本院各台电脑共用。")
    with one.unit_of_work() as s:
        templates.save_template(s, admin, KIND, text)

    at_desk(monkeypatch, tmp_path / "desk-2")
    assert _info(two).court_version and _text(two) == text
    with two.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    with two.unit_of_work() as s:
        issued = notices.issue_notice(s, admin, case_id, KIND, today=TODAY)
    printed = flat(pdf_text(issued.pdf, tmp_path))
    assert "特此催告，本院各台电脑共用。" in printed

    # 恢复默认 at the second desk: the first desk prints the shipped wording again.
    with two.unit_of_work() as s:
        assert templates.restore_default(s, admin, KIND)
    at_desk(monkeypatch, tmp_path / "desk-1")
    assert not _info(one).court_version
    with one.unit_of_work() as s:
        again = notices.issue_notice(s, admin, case_id, KIND, today=TODAY)
    printed = flat(pdf_text(again.pdf, tmp_path))
    assert "特此催告。" in printed and "本院各台电脑共用" not in printed
    for desk in ("desk-1", "desk-2"):
        assert not list((tmp_path / desk).rglob("*.toml"))


def test_an_edit_started_before_another_desk_saved_is_refused_not_overwriting(
    desks: tuple[Database, Database], admin: Actor
) -> None:
    one, two = desks
    with one.unit_of_work() as s:
        templates.copy_to_court(s, admin, KIND)
    opened = _text(one)  # both desks open the editor on this text
    theirs = opened.replace("特此催告。", "特此催告（第二台）。")
    with two.unit_of_work() as s:
        templates.save_template(s, admin, KIND, theirs, base=opened)
    mine = opened.replace("特此催告。", "特此催告（第一台）。")
    with pytest.raises(UserError, match="已被他人修改"), one.unit_of_work() as s:
        templates.save_template(s, admin, KIND, mine, base=opened)
    assert _stored(one) == {KIND.value: theirs}
    with two.unit_of_work() as s:
        templates.restore_default(s, admin, KIND)
    with pytest.raises(UserError, match="恢复为内置模板"), one.unit_of_work() as s:
        templates.save_template(s, admin, KIND, mine, base=theirs)
    assert _stored(one) == {}


# --- the court's files of an earlier version ----------------------------------------------------


def test_valid_old_files_are_taken_into_the_database_once(
    db: Database, admin: Actor, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    folder = templates.legacy_templates_dir()
    folder.mkdir(parents=True)
    urging = templates.default_text(KIND).replace("特此催告。", "特此催告（旧文件）。")
    (folder / "urging.toml").write_text(urging, encoding="utf-8")
    broken = templates.default_text(DocumentKind.PRE_FINE).replace("{obligor}", "{debtor}", 1)
    (folder / "pre_fine.toml").write_text(broken, encoding="utf-8")
    (folder / ".tmp-x1y2.toml").write_text("half written", encoding="utf-8")
    # Another desk's version is in the database already: it wins over this desk's file.
    notice = templates.default_text(DocumentKind.SUPERVISION_NOTICE)
    kept = notice.replace('addressee = "{obligor}："', 'addressee = "{obligor}（另一台电脑）："')
    assert kept != notice
    with db.unit_of_work() as s:
        templates.save_template(s, admin, DocumentKind.SUPERVISION_NOTICE, kept)
    (folder / "supervision_notice.toml").write_text(notice, encoding="utf-8")

    with caplog.at_level(logging.INFO, logger=templates.__name__):
        report = templates.take_in_court_files(db)
    assert report.imported == ["urging.toml"]
    assert report.already_in_database == ["supervision_notice.toml"]
    assert (
        list(report.refused) == ["pre_fine.toml"] and "{debtor}" in report.refused["pre_fine.toml"]
    )
    assert _stored(db) == {KIND.value: urging, DocumentKind.SUPERVISION_NOTICE.value: kept}
    logged = caplog.text
    assert "urging.toml" in logged and "已存入数据库" in logged
    assert "pre_fine.toml" in logged and "未导入" in logged and "{debtor}" in logged
    assert sorted(p.name for p in folder.iterdir()) == [
        ".tmp-x1y2.toml",
        "pre_fine.toml",
        "supervision_notice.toml.unused",
        "urging.toml.imported",
    ]
    assert ("import", KIND.value) in _events(db)

    # The next start finds nothing new: a later 恢复默认 is not undone by the old file.
    with db.unit_of_work() as s:
        templates.restore_default(s, admin, KIND)
    again = templates.take_in_court_files(db)
    assert again.imported == [] and _text(db) == templates.default_text(KIND)

    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    with db.unit_of_work() as s:
        issued = notices.issue_notice(
            s, admin, case_id, DocumentKind.SUPERVISION_NOTICE, today=TODAY
        )
    assert "（另一台电脑）" in flat(pdf_text(issued.pdf, tmp_path))
    with db.reader() as s:
        assert verify_chain(s).ok
