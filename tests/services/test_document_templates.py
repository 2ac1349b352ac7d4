"""The court's own template wording: copy, check with line and reason, save, issue, restore."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import TODAY, make_case_input
from tests.printing.helpers import flat, pdf_text
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import DocumentKind, Role
from zhiqian_desktop.printing.templates import TemplateError
from zhiqian_desktop.services import document_templates as templates
from zhiqian_desktop.services import notices
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.services.audit import verify_chain
from zhiqian_desktop.services.docket import register_case
from zhiqian_desktop.services.users import actor_for, create_user
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent

KIND = DocumentKind.URGING


def _events(db: Database) -> list[tuple[str, str]]:
    with db.reader() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "document_template")
            .order_by(AuditEvent.seq)
        )
        return [(e.action, e.entity_id) for e in rows]


def test_copy_edit_save_issue_and_restore(db: Database, admin: Actor, tmp_path) -> None:
    assert not any(t.court_version for t in templates.list_templates())
    with db.unit_of_work() as s:
        path = templates.copy_to_court(s, admin, KIND)
    assert path.read_text("utf-8") == templates.default_text(KIND)
    info = {t.kind: t for t in templates.list_templates()}[KIND]
    assert info.court_version and info.path == path
    with pytest.raises(UserError, match="已有本院版本"), db.unit_of_work() as s:
        templates.copy_to_court(s, admin, KIND)

    text = templates.template_text(KIND).replace("特此催告。", "特此催告，望自觉履行。")
    with db.unit_of_work() as s:
        templates.save_template(s, admin, KIND, text)
    assert templates.template_text(KIND) == text

    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    with db.unit_of_work() as s:
        issued = notices.issue_notice(db, s, admin, case_id, KIND, today=TODAY)
    assert "特此催告，望自觉履行。" in flat(pdf_text(issued.pdf, tmp_path))

    with db.unit_of_work() as s:
        assert templates.restore_default(s, admin, KIND)
    assert not path.exists() and templates.template_text(KIND) == templates.default_text(KIND)
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
    assert not templates.court_template_path(KIND).exists()
    assert _events(db) == []


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
    assert not templates.court_template_path(KIND).exists()
