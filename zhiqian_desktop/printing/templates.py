"""The wording of each document: TOML templates shipped in resources/templates, or the court's own text.

The court's versions live in its database (services/supervision/templates.py reads them and hands
the text in here), so this module never touches the database or the user's folders. A template
is refused as a whole (file, line and reason) when its syntax is broken or it uses a
field the app does not know, so a notice is never printed half filled.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.issuing import retired_wording
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.preservation_text import PRESERVATION_PLACEHOLDERS
from zhiqian_desktop.resources_access import resource_path

PLACEHOLDERS: dict[str, str] = {
    "court_name": "法院名称",
    "case_no": "本院案号",
    "original_case_no": "原审案号",
    "original_doc_type": "生效法律文书种类（判决书、调解书等）",
    "cause": "案由",
    "effective_date": "生效日期",
    "performance_deadline": "履行期限",
    "department": "审判部门",
    "trial_judge": "原审承办法官",
    "applicant": "申请人姓名或名称",
    "applicant_address": "申请人地址",
    "obligor": "被申请人姓名或名称",
    "obligor_address": "被申请人地址",
    "obligor_id": "被申请人身份证号或统一社会信用代码",
    "obligor_legal_rep": "被申请人法定代表人",
    "obligor_you": "对被申请人的称呼（你、你单位或你们，按当事人类型）",
    "applicant_you": "对申请人的称呼（你、你单位或你们）",
    "detention_subject": "可被罚款、拘留的人（你，或单位的主要负责人、直接责任人员）",
    "interviewee_lines": "约谈笔录的被约谈人栏目（个人：身份证号码；单位：信用代码、法定代表人、到场人员）",
    "amount": "标的金额（¥12,345.67）",
    "amount_capital": "标的金额大写（人民币壹万…）",
    "paid": "已履行金额",
    "paid_capital": "已履行金额大写",
    "outstanding": "未履行金额",
    "outstanding_capital": "未履行金额大写",
    "unperformed": "尚未履行的部分（未履行金额，无欠款时为“上述义务”）",
    "obligation": "应履行的义务（一句话）",
    "urging_days": "催告期天数",
    "urging_end": "催告期届满日（已送达催告书时）",
    "issue_date": "落款日期（二〇二六年十一月二十二日）",
    "handler": "承办人",
    "contact": "联系人及电话",
    "court_account": "法院案款账户",
    "court_address": "法院地址",
    "court_phone": "法院电话",
    "performed_date": "履行完毕日期（登记的最后付款日或行为义务履行日）",
    "performance_confirmed": "申请人确认的履行情况（收到的款项和/或已履行的行为）",
    "served_document": "所送达文书的名称",
    "served_doc_no": "所送达文书的编号",
    "settlement_terms": "和解协议条款",
    "recipient": "受送达人",
    "recipient_address": "送达地址",
    "bankruptcy_grounds": "告知申请破产审查的事由",
    "bankruptcy_debtor": "可以申请破产的债务人（被申请人中的企业法人）",
    "transfer_ground": "移送执行的依据（申请人申请执行，或依法移送执行）",
    "transfer_attachments": "随移送执行函附送的申请执行书（申请执行时）",
    "mediator": "受托调解的调解员或调解组织",
    "mediation_start": "委托调解的日期",
    "mediation_days": "调解期限天数",
    "mediation_end": "调解期限届满日",
    "mediation_matters": "委托调解的事项",
    **PRESERVATION_PLACEHOLDERS,
}
"""Every field a template may use, with the Chinese name shown in the template editor."""

SIGNATURES = ("court", "parties", "none")
_STRING_KEYS = ("title", "addressee")
_LIST_KEYS = ("paragraphs", "header_lines", "sign_lines", "notes", "copies")
_KNOWN_KEYS = frozenset((*_STRING_KEYS, *_LIST_KEYS, "blank_lines", "signature", "table"))
_formatter = string.Formatter()
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


class TemplateError(UserError):
    """A template refused as a whole; ``line`` (from 1) is where the editor puts the cursor."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class DocumentTemplate:
    """One document's wording, as read from its TOML file (placeholders not yet filled)."""

    kind: DocumentKind
    source: str
    title: str
    paragraphs: tuple[str, ...]
    addressee: str = ""
    header_lines: tuple[str, ...] = ()
    sign_lines: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()
    table: tuple[tuple[str, str], ...] = ()
    blank_lines: int = 0
    signature: str = "court"
    fields: frozenset[str] = field(default_factory=frozenset)

    def fill(self, context: dict[str, str]) -> FilledTemplate:
        """Every placeholder replaced; a missing value stops here, before any PDF is made."""
        missing = sorted(self.fields - context.keys())
        if missing:
            raise UserError(f"文书模板“{self.source}”需要的字段“{missing[0]}”没有数据")

        def sub(text: str) -> str:
            return text.format_map(context)

        return FilledTemplate(
            title=sub(self.title),
            addressee=sub(self.addressee),
            paragraphs=[sub(p) for p in self.paragraphs],
            header_lines=[sub(p) for p in self.header_lines],
            sign_lines=[sub(p) for p in self.sign_lines],
            notes=[sub(p) for p in self.notes],
            copies=[sub(p) for p in self.copies],
            table=[(sub(a), sub(b)) for a, b in self.table],
            blank_lines=self.blank_lines,
            signature=self.signature,
        )


@dataclass(frozen=True)
class FilledTemplate:
    title: str
    addressee: str
    paragraphs: list[str]
    header_lines: list[str]
    sign_lines: list[str]
    notes: list[str]
    copies: list[str]
    table: list[tuple[str, str]]
    blank_lines: int
    signature: str


def template_file_name(kind: DocumentKind) -> str:
    return f"{kind.value}.toml"


def default_template_path(kind: DocumentKind) -> Path:
    return resource_path("templates", template_file_name(kind))


def court_source(kind: DocumentKind) -> str:
    """How a message names the court's version of ``kind``."""
    return f"{template_file_name(kind)}（本院版本）"


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def _fields_of(value: str, source: str, raw: str) -> set[str]:
    names: set[str] = set()
    try:
        parsed = list(_formatter.parse(value))
    except ValueError as exc:
        snippet = value[:20]
        line = _line_of(raw, snippet)
        raise TemplateError(
            f"文书模板“{source}”第{line}行的花括号不成对（{exc}）；字段应写作 {{obligor}}，"
            "正文中的花括号请写作 {{ 和 }}",
            line=line,
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        line = _line_of(raw, "{" + name)
        if name not in PLACEHOLDERS:
            known = "、".join(f"{{{k}}}" for k in PLACEHOLDERS)
            raise TemplateError(
                f"文书模板“{source}”第{line}行使用了未知的字段“{{{name}}}”；可用的字段有：{known}",
                line=line,
            )
        if spec or conversion:
            raise TemplateError(
                f"文书模板“{source}”第{line}行的字段“{{{name}}}”带有格式说明；请只写 {{{name}}}",
                line=line,
            )
        names.add(name)
    return names


@functools.lru_cache(maxsize=64)
def parse_template(kind: DocumentKind, raw: str, source: str) -> DocumentTemplate:
    """Read and check one template's text; a UserError names the file, the line and the reason.

    Cached by the text itself: every notice of a batch reads the same file (an edited file is a
    new text, so it is parsed again; a refused text is not cached)."""
    try:
        data: dict[str, Any] = tomllib.loads(raw)
    except RecursionError:
        # The TOML reader recurses per nested [ or {: a template never nests more than twice.
        raise TemplateError(
            f"文书模板“{source}”中的方括号或花括号嵌套过深，不是有效的文书模板；请对照内置模板改正"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
        where = _TOML_POSITION.search(reason)
        if where is None:
            raise TemplateError(
                f"文书模板“{source}”格式有误：{reason}；请对照内置模板改正"
            ) from None
        line, column = int(where.group(1)), int(where.group(2))
        raise TemplateError(
            f"文书模板“{source}”第{line}行第{column}列格式有误"
            f"（{_TOML_POSITION.sub('', reason)}）；请检查引号、逗号和方括号是否成对，"
            "或对照内置模板改正",
            line=line,
        ) from None
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        line = _line_of(raw, unknown[0])
        raise TemplateError(f"文书模板“{source}”第{line}行的项目“{unknown[0]}”无法识别", line=line)
    fields: set[str] = set()
    values: dict[str, Any] = {}
    for key in _STRING_KEYS:
        value = data.get(key, "")
        if not isinstance(value, str):
            line = _line_of(raw, key)
            raise TemplateError(f"文书模板“{source}”第{line}行的“{key}”应为文字", line=line)
        fields |= _fields_of(value, source, raw)
        values[key] = value
    for key in _LIST_KEYS:
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            line = _line_of(raw, key)
            raise TemplateError(f"文书模板“{source}”第{line}行的“{key}”应为文字列表", line=line)
        for item in items:
            fields |= _fields_of(item, source, raw)
        values[key] = tuple(items)
    rows = data.get("table", [])
    table: list[tuple[str, str]] = []
    for row in rows if isinstance(rows, list) else [None]:
        if not (isinstance(row, list) and len(row) == 2 and all(isinstance(c, str) for c in row)):
            line = _line_of(raw, "table")
            raise TemplateError(
                f'文书模板“{source}”第{line}行的“table”应为["栏目", "内容"]的列表', line=line
            )
        fields |= _fields_of(row[0], source, raw) | _fields_of(row[1], source, raw)
        table.append((row[0], row[1]))
    values["table"] = tuple(table)
    if not values["title"].strip():
        raise TemplateError(f"文书模板“{source}”缺少标题（title）", line=_line_of(raw, "title"))
    blank = data.get("blank_lines", 0)
    if not isinstance(blank, int) or not 0 <= blank <= 60:
        line = _line_of(raw, "blank_lines")
        raise TemplateError(
            f"文书模板“{source}”第{line}行的“blank_lines”应为0至60之间的整数", line=line
        )
    signature = data.get("signature", "court")
    if signature not in SIGNATURES:
        line = _line_of(raw, "signature")
        raise TemplateError(
            f"文书模板“{source}”第{line}行的“signature”应为 court、parties 或 none", line=line
        )
    return DocumentTemplate(
        kind=kind,
        source=source,
        blank_lines=blank,
        signature=signature,
        fields=frozenset(fields),
        **values,
    )


def check_wording(kind: DocumentKind, text: str) -> None:
    """Refuse a court's version that still carries a sentence retired because it was untrue (it
    was edited from an earlier shipped template): the court corrects it before it is printed."""
    phrase = retired_wording(kind, text)
    if phrase is None:
        return
    line = next(
        (
            n
            for n, row in enumerate(text.splitlines(), start=1)
            if phrase[:8] in "".join(row.split())
        ),
        1,
    )
    raise TemplateError(
        f"本院版本的“{kind.label}”模板第{line}行仍有已停用的表述“{phrase}”，该表述与法律规定"
        "不符；请管理员在“设置 → 文书模板”中对照内置模板改正（或恢复默认）后再出具",
        line=line,
    )


def load_template(kind: DocumentKind, court_text: str | None = None) -> DocumentTemplate:
    """The court's version when its text is given, else the shipped template (parsed once per text)."""
    if court_text is not None:
        check_wording(kind, court_text)
        return parse_template(kind, court_text, court_source(kind))
    path = default_template_path(kind)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"找不到文书“{kind.label}”的模板文件“{path}”；请重新安装本软件") from None
    except UnicodeDecodeError:
        raise UserError(f"文书模板“{path}”不是 UTF-8 编码的文本；请用 UTF-8 保存") from None
    return parse_template(kind, raw, str(path))
