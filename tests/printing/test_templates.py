"""Document templates: shipped defaults, the court's text handed in, and refusal of broken ones."""

from __future__ import annotations

from datetime import date

import pytest

from tests.printing.helpers import FACTS
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.documents import build_context
from zhiqian_desktop.printing.templates import (
    PLACEHOLDERS,
    court_source,
    default_template_path,
    load_template,
    parse_template,
)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_has_a_valid_default_template(kind: DocumentKind) -> None:
    template = load_template(kind)
    assert template.source == str(default_template_path(kind))
    assert template.fields <= PLACEHOLDERS.keys()
    filled = template.fill(build_context(FACTS, issued_on=date(2026, 11, 22)))
    assert "{" not in "".join(filled.paragraphs)


def test_the_courts_text_when_given_wins_over_the_default() -> None:
    text = 'title = "催告书"\naddressee = "{obligor}："\nparagraphs = ["请于{urging_days}日内履行。"]\n'
    template = load_template(DocumentKind.URGING, text)
    assert template.title == "催告书"
    assert template.source == court_source(DocumentKind.URGING) == "urging.toml（本院版本）"
    assert load_template(DocumentKind.URGING).source == str(
        default_template_path(DocumentKind.URGING)
    )


def test_unknown_placeholder_is_refused_with_template_line_and_name() -> None:
    raw = (
        'title = "催告书"\nparagraphs = [\n  "你应当支付{amount}。",\n  "被申请人{debtor}：",\n]\n'
    )
    with pytest.raises(UserError) as err:
        parse_template(DocumentKind.URGING, raw, "court/urging.toml")
    message = str(err.value)
    assert "court/urging.toml" in message and "第4行" in message and "{debtor}" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('title = "催告书"\nparagraphs = ["未闭合 {obligor"]\n', "花括号"),
        ('title = "催告书"\nparagraphs = ["多余 }"]\n', "花括号"),
        ('title = "催告书\nparagraphs = []\n', "格式有误"),
        ('title = "催告书"\nparagraphs = ["{amount:>10}"]\n', "格式说明"),
        ('title = "催告书"\nparagraphs = ["{obligor.name}"]\n', "未知的字段"),
        ('title = "催告书"\nparagrafs = ["x"]\n', "无法识别"),
        ('title = ""\nparagraphs = ["x"]\n', "缺少标题"),
    ],
)
def test_broken_templates_are_refused(raw: str, expected: str) -> None:
    with pytest.raises(UserError, match=expected):
        parse_template(DocumentKind.URGING, raw, "x.toml")


def test_escaped_braces_are_literal() -> None:
    t = parse_template(DocumentKind.URGING, 'title = "t"\nparagraphs = ["{{注}}{obligor}"]\n', "x")
    assert t.fill(dict.fromkeys(PLACEHOLDERS, "王某")).paragraphs == ["{注}王某"]


def test_a_courts_text_that_is_broken_is_refused_not_skipped() -> None:
    with pytest.raises(UserError, match="nope") as err:
        load_template(DocumentKind.URGING, 'title = "x"\nparagraphs = ["{nope}"]\n')
    assert "本院版本" in err.value.message
