"""The 司法建议书: its wording from resources/templates/judicial_suggestion.toml, filled with a
signed suggestion's facts, drawn in the court-document format by the notice renderer."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date

from zhiqian_desktop.domain.calendar import chinese_date
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.printing.documents import NoticeContent, chinese_count
from zhiqian_desktop.resources_access import resource_path

TEMPLATE_FILE = "judicial_suggestion.toml"
KIND = "judicial_suggestion"
_EXPANDED = ("{problem}", "{proposal}")


@dataclass(frozen=True)
class SuggestionFacts:
    court_name: str
    suggestion_id: str
    doc_no: str
    recipient: str
    problem: str
    proposal: str
    reply_months: int
    signed_on: date
    case_nos: tuple[str, ...]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.splitlines() if p.strip()]


def _template() -> dict[str, object]:
    path = resource_path("templates", TEMPLATE_FILE)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise UserError(f"司法建议书的模板文件“{path}”缺失或已损坏；请重新安装本软件") from None


def suggestion_content(facts: SuggestionFacts) -> NoticeContent:
    """The document's complete text: the template's sentences, the drafter's problem and
    suggestion paragraphs in place of {problem} and {proposal}."""
    if not facts.doc_no:
        raise UserError("司法建议尚未签发，没有编号，不能打印；请先由团队负责人签发")
    data = _template()
    context = {
        "recipient": facts.recipient,
        "reply_period": f"{'两' if facts.reply_months == 2 else chinese_count(facts.reply_months)}个月",
        "case_count": str(len(facts.case_nos)),
        "case_nos": "、".join(facts.case_nos),
    }
    paragraphs: list[str] = []
    for text in data.get("paragraphs", []):  # type: ignore[attr-defined]
        if text == "{problem}":
            paragraphs += _paragraphs(facts.problem)
        elif text == "{proposal}":
            paragraphs += _paragraphs(facts.proposal)
        else:
            paragraphs.append(str(text).format_map(context))
    return NoticeContent(
        kind=KIND,
        doc_id=facts.suggestion_id,
        doc_no=facts.doc_no,
        court_name=facts.court_name,
        title=str(data["title"]),
        case_no=facts.doc_no,
        sign_date=chinese_date(facts.signed_on),
        addressee=str(data.get("addressee", "")).format_map(context),
        paragraphs=paragraphs,
        notes=[str(n).format_map(context) for n in data.get("notes", [])],  # type: ignore[attr-defined]
    )
