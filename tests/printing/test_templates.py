"""Document templates: shipped defaults, court overrides, and refusal of broken templates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.printing.helpers import FACTS
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.documents import build_context
from zhiqian_desktop.printing.templates import (
    PLACEHOLDERS,
    court_templates_dir,
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


def test_a_copy_in_the_data_directory_overrides_the_default() -> None:
    folder = court_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "urging.toml").write_text(
        'title = "催告书"\naddressee = "{obligor}："\nparagraphs = ["请于{urging_days}日内履行。"]\n',
        encoding="utf-8",
    )
    template = load_template(DocumentKind.URGING)
    assert template.title == "催告书"
    assert template.source == str(folder / "urging.toml")
    assert load_template(DocumentKind.PRE_FINE).source == str(
        default_template_path(DocumentKind.PRE_FINE)
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


def test_an_override_that_is_broken_is_refused_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "urging.toml").write_text('title = "x"\nparagraphs = ["{nope}"]\n', "utf-8")
    with pytest.raises(UserError, match="nope"):
        load_template(DocumentKind.URGING, override_dir=tmp_path)
