"""The hand-over list's layout: its limits, its columns (header, meaning, how a cell is read) and the
words a clerk may write for a role, a yes or a no.

Layout (documented to the clerk in the template's 说明 sheet): one row per party. A case's own
columns are filled on its first row; the rows below it whose 原审案号 is empty, or the same, are
further parties of that case. Rows of one case must be adjacent, so an original case number that
turns up again further down is a duplicate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from zhiqian_desktop.domain.kinds import PartyRole

# --- limits (documented in the 说明 sheet and the user guide) ------------------------------------

MAX_FILE_BYTES = 20 * 1024 * 1024
"""The workbook file itself (a 20,000-row hand-over list is about 2 MB)."""
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
"""Sum of the uncompressed sizes of all zip members, read from the zip directory before loading."""
MAX_MEMBERS = 500
"""Files inside the xlsx zip; Excel writes about a dozen."""
MAX_RATIO = 100
"""Compression ratio allowed for a member larger than RATIO_FLOOR (zip bombs reach thousands)."""
RATIO_FLOOR = 1024 * 1024
MAX_DATA_ROWS = 20_000
"""Rows below the header; a larger list must be split into several files."""
BLANK_TAIL = 1_000
"""Empty (formatted) rows tolerated after the row limit before the sheet is refused."""
MAX_COLUMNS = 64
"""Columns read from the header row; anything to the right is ignored."""
HEADER_ROW = 1
SHEET_NAME = "案件"
NOTES_SHEET = "说明"
EXAMPLE_NOTE = "示例行：导入前请删除本案的两行"

ProgressCallback = Callable[[int, int], None]

# --- the columns ---------------------------------------------------------------------------------

Kind = Literal["text", "date", "amount", "bool", "role", "party_kind", "source", "licence", "name"]


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: Kind
    level: Literal["case", "party"]
    required: bool
    note: str
    width: int = 14
    max_len: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column(
        "原审案号",
        "original_case_no",
        "text",
        "case",
        True,
        "生效文书的案号，如（2026）内0221民初123号；半角括号会自动改为全角。同一案件的第二名及以后的当事人行可留空",
        26,
        64,
    ),
    Column(
        "文书类型",
        "original_doc_type",
        "text",
        "case",
        False,
        "判决书、调解书、裁定书等；不填视为“判决书”",
        10,
        16,
    ),
    Column("案由", "cause", "text", "case", True, "如“民间借贷纠纷”", 16, 64),
    Column(
        "生效日期",
        "effective_date",
        "date",
        "case",
        False,
        "日期单元格，或文字 2026-01-05、2026/1/5、2026.1.5、2026年1月5日、20260105",
        12,
    ),
    Column(
        "履行期限",
        "performance_deadline",
        "date",
        "case",
        False,
        "生效文书确定的履行期限届满日；格式同生效日期",
        12,
    ),
    Column(
        "最后一期履行期限",
        "final_installment_date",
        "date",
        "case",
        False,
        "生效文书规定分期履行的，最后一期的履行期限；不分期的不填",
        12,
    ),
    Column(
        "申请执行书收到日期",
        "application_received_on",
        "date",
        "case",
        False,
        "申请人已提交申请执行书的，收到的日期；未提交的不填",
        12,
    ),
    Column(
        "收案日期",
        "received_date",
        "date",
        "case",
        True,
        "本团队收到移交的日期，不能晚于今天；格式同生效日期",
        12,
    ),
    Column(
        "审判庭", "department", "text", "case", False, "作出生效文书的审判庭，如“民一庭”", 12, 64
    ),
    Column("审判员", "trial_judge", "text", "case", False, "原审承办法官姓名", 10, 32),
    Column(
        "标的金额",
        "amount_due",
        "amount",
        "case",
        False,
        "应给付的金额（元），数字或文字如 12345.67、12,345.67、¥12,345.67、12345元，最多两位小数；"
        "没有金钱给付时留空并填写“非金钱义务”",
        14,
    ),
    Column(
        "非金钱义务",
        "obligation_act",
        "text",
        "case",
        False,
        "应履行的行为（如“腾退房屋”）；标的金额与非金钱义务至少填一项",
        20,
    ),
    Column(
        "涉民生", "livelihood", "bool", "case", False, "“是”或“否”，不填为否；涉民生案件优先督促", 8
    ),
    Column(
        "民生类型",
        "livelihood_kind",
        "text",
        "case",
        False,
        "如追索劳动报酬、赡养费、抚养费、交通事故赔偿",
        12,
        32,
    ),
    Column(
        "承办人",
        "handler_id",
        "name",
        "case",
        False,
        "本系统中用户的姓名或用户名；不填则暂不分配",
        10,
    ),
    Column(
        "法庭", "tribunal_id", "name", "case", False, "本系统中已设置的法庭名称；不填则不分配", 12
    ),
    Column(
        "来源",
        "source",
        "source",
        "case",
        False,
        "“审判庭移交”或“申请人同意督促”；不填为审判庭移交",
        14,
    ),
    Column("备注", "notes", "text", "case", False, "任意说明", 20),
    Column(
        "当事人地位",
        "role",
        "role",
        "party",
        True,
        "申请人、被申请人或第三人（也可写申请执行人、被执行人）；每案至少一名申请人和一名被申请人",
        12,
    ),
    Column(
        "当事人类型",
        "kind",
        "party_kind",
        "party",
        False,
        "自然人、法人或非法人组织；不填为自然人",
        12,
    ),
    Column("当事人名称", "name", "text", "party", True, "自然人姓名或单位全称", 20, 200),
    Column(
        "证件号码",
        "id_number",
        "text",
        "party",
        False,
        "自然人填18位公民身份号码，单位填18位统一社会信用代码，均核对校验位；请将该列设为文本格式，"
        "否则 Excel 会把身份证号改成科学计数法并丢失末几位",
        22,
        32,
    ),
    Column(
        "联系电话",
        "phones",
        "text",
        "party",
        False,
        "手机号或带区号的固定电话，多个号码用顿号、逗号或空格分隔",
        18,
        200,
    ),
    Column("地址", "address", "text", "party", False, "住所地或经常居住地", 28, 300),
    Column(
        "法定代表人",
        "legal_representative",
        "text",
        "party",
        False,
        "单位当事人的法定代表人或负责人",
        10,
        64,
    ),
    Column(
        "注册资本",
        "registered_capital",
        "amount",
        "party",
        False,
        "单位当事人的注册资本（元），格式同标的金额",
        14,
    ),
    Column("经营状态", "licence_status", "licence", "party", False, "存续、吊销或注销", 10),
)
HEADERS = tuple(c.header for c in COLUMNS)
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
CASE_COLUMNS = tuple(c for c in COLUMNS if c.level == "case")
PARTY_COLUMNS = tuple(c for c in COLUMNS if c.level == "party")
_CASE_KEYS = tuple(c.key for c in CASE_COLUMNS)
IGNORED_HEADERS = frozenset({"序号"})

ROLE_WORDS = {
    **{r.label: r for r in PartyRole},
    "申请执行人": PartyRole.APPLICANT,
    "权利人": PartyRole.APPLICANT,
    "被执行人": PartyRole.OBLIGOR,
    "义务人": PartyRole.OBLIGOR,
}
TRUE_WORDS = frozenset({"是", "Y", "YES", "TRUE", "1", "√", "✓", "涉民生"})
FALSE_WORDS = frozenset({"否", "N", "NO", "FALSE", "0", "×", "不涉及", ""})
