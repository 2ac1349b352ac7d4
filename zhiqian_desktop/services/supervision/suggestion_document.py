"""The 司法建议书 of a signed suggestion (resources/templates/judicial_suggestion.toml): shown on
screen or saved to a file. Apart from the suggestions' records (suggestions.py) so that reading
them, as the due-list does for the overdue replies, does not load the printing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import cast

from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.suggestions import PRINTABLE
from zhiqian_desktop.printing.suggestion import SuggestionFacts, suggestion_content
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.supervision.suggestions import live_suggestion, suggestion_cases
from zhiqian_desktop.services.supervision.templates import renderer_for
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.outputs import check_output_file, write_output


@reads
def suggestion_pdf(session: Session, suggestion_id: str) -> bytes:
    """The 司法建议书 of a signed suggestion (resources/templates/judicial_suggestion.toml)."""
    s = live_suggestion(session, suggestion_id)
    if s.status not in PRINTABLE:
        raise UserError(
            f"司法建议（致{s.recipient}）状态为“{s.status.label}”，不能打印；"
            "草稿须经团队负责人签发后才有编号、才能打印，已作废的不再打印"
        )
    settings = get_settings(session)
    facts = SuggestionFacts(
        court_name=settings.court_name,
        suggestion_id=s.id,
        doc_no=s.doc_no or "",
        recipient=s.recipient,
        problem=s.problem,
        proposal=s.proposal,
        reply_months=s.reply_months or settings.suggestion_reply_months,
        signed_on=cast(date, s.approved_on),
        case_nos=tuple(c.case_no for c in suggestion_cases(session, s.id)),
    )
    renderer = renderer_for(settings)
    for value, what in (
        (s.recipient, "被建议单位"),
        (s.problem, "发现的问题"),
        (s.proposal, "建议"),
    ):
        renderer.fonts().check(value, what)
    return renderer.render(suggestion_content(facts))


def save_suggestion_pdf(
    db: Database, suggestion_id: str, path: Path, *, force: bool = False
) -> Path:
    """Write the 司法建议书 to a file the clerk chose (checked before anything is written)."""
    target = check_output_file(path, force=force)
    return write_output(target, suggestion_pdf(db, suggestion_id), force=force)
