"""设置 › 法院信息 and 打印字体: the court's details, its case word, the periods the due-list
uses, and the fonts documents are printed in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.case_numbers import validate_case_word, validate_court_code
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.messages import MAX_LEAD_DAYS
from zhiqian_desktop.domain.suggestions import MAX_REPLY_MONTHS, MAX_THRESHOLD, MIN_THRESHOLD
from zhiqian_desktop.gui.form_fields import (
    Banner,
    with_error,
)
from zhiqian_desktop.gui.settings_common import SettingsHost, note_label, plain_button, spin_box
from zhiqian_desktop.services.core.clock import zone_named
from zhiqian_desktop.services.core.settings import print_faces


class CourtTab(QWidget):
    """Court name, code, case word and the periods the due-list uses."""

    def __init__(self, page: SettingsHost) -> None:
        super().__init__()
        self.page = page
        self.banner = Banner()
        self.court_name = QLineEdit()
        self.court_code = QLineEdit()
        self.court_code.setPlaceholderText("省份简称加数字，如 内0221")
        self.court_code.setMaximumWidth(240)
        self.case_word = QLineEdit()
        self.case_word.setPlaceholderText("2至6个汉字，如 执前督")
        self.case_word.setMaximumWidth(240)
        self.example = note_label("")
        self.urging_days = spin_box(1, 365)
        self.supervision_limit_days = spin_box(1, 3650)
        self.unserved_flag_days = spin_box(1, 365)
        self.suggestion_reply_months = spin_box(1, MAX_REPLY_MONTHS)
        self.suggestion_threshold = spin_box(MIN_THRESHOLD, MAX_THRESHOLD)
        self.reminder_lead_days = spin_box(1, MAX_LEAD_DAYS)
        self.court_address = QLineEdit()
        self.court_phone = QLineEdit()
        self.court_account = QLineEdit()
        self.court_account.setPlaceholderText("履行款交付法院账户时印在文书上")
        self.time_zone = QLineEdit()
        self.time_zone.setPlaceholderText("Asia/Shanghai（北京时间）")
        self.time_zone.setMaximumWidth(240)
        self.save_button = plain_button("保存法院设置")

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(8)
        box_name, self.court_name_error = with_error(self.court_name)
        box_code, self.court_code_error = with_error(self.court_code)
        box_word, self.case_word_error = with_error(self.case_word)
        form.addRow("法院名称", box_name)
        form.addRow("法院代字", box_code)
        form.addRow("案件类型代字", box_word)
        form.addRow("案号示例", self.example)
        periods = QFormLayout()
        periods.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        periods.setVerticalSpacing(8)
        periods.addRow("催告期", self.urging_days)
        periods.addRow("督促期限", self.supervision_limit_days)
        periods.addRow("文书未送达提醒", self.unserved_flag_days)
        periods.addRow("司法建议回复期限（月）", self.suggestion_reply_months)
        periods.addRow("司法建议类案件数", self.suggestion_threshold)
        periods.addRow("履行提醒提前", self.reminder_lead_days)
        box_zone, self.time_zone_error = with_error(self.time_zone)
        periods.addRow("法院时区", box_zone)
        periods.addRow(
            "",
            note_label(
                "催告期自催告书送达次日起算，期间届满日为法定休假日的顺延至节后第一个工作日；"
                "督促期限自收案之日起算，届满前在今日待办中提示；"
                "文书制作后超过所设天数仍未登记送达的，列入待办；"
                "分期或承诺履行日前所设天数内，可在短信发件箱中起草履行提醒短信。"
                "日期（今日待办、收案日期、送达日期、文书落款）均按法院时区计算。"
            ),
        )
        contact = QFormLayout()
        contact.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        contact.setVerticalSpacing(8)
        contact.addRow("法院地址", self.court_address)
        contact.addRow("联系电话", self.court_phone)
        contact.addRow("法院账户", self.court_account)

        court_box = QGroupBox("法院与案号")
        court_box.setLayout(form)
        period_box = QGroupBox("期限")
        period_box.setLayout(periods)
        contact_box = QGroupBox("文书中使用的联系方式")
        contact_box.setLayout(contact)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.addWidget(court_box, 0, 0)
        grid.addWidget(period_box, 0, 1)
        grid.addWidget(contact_box, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addStretch(1)

        for edit in (self.court_name, self.court_code, self.case_word, self.time_zone):
            edit.textChanged.connect(self.validate)
        self.save_button.clicked.connect(self.save)

    def load(self) -> None:
        s = self.page.settings_values
        self.court_name.setText(s["court_name"])
        self.court_code.setText(s["court_code"])
        self.case_word.setText(s["case_word"])
        self.urging_days.setValue(s["urging_days"])
        self.supervision_limit_days.setValue(s["supervision_limit_days"])
        self.unserved_flag_days.setValue(s["unserved_flag_days"])
        self.suggestion_reply_months.setValue(s["suggestion_reply_months"])
        self.suggestion_threshold.setValue(s["suggestion_threshold"])
        self.reminder_lead_days.setValue(s["reminder_lead_days"])
        self.court_address.setText(s["court_address"] or "")
        self.court_phone.setText(s["court_phone"] or "")
        self.court_account.setText(s["court_account"] or "")
        self.time_zone.setText(s["time_zone"] or "")
        self.validate()

    def validate(self) -> bool:
        ok = True
        name = self.court_name.text().strip()
        self.court_name_error.show_message(
            None if 2 <= len(name) <= 100 else "法院名称不能为空，如“土默特右旗人民法院”"
        )
        ok &= 2 <= len(name) <= 100
        for edit, error, check in (
            (self.court_code, self.court_code_error, validate_court_code),
            (self.case_word, self.case_word_error, validate_case_word),
            (self.time_zone, self.time_zone_error, zone_named),
        ):
            try:
                check(edit.text())
                error.show_message(None)
            except UserError as exc:
                error.show_message(exc.message)
                ok = False
        year = self.page.today.year
        self.example.setText(
            f"（{year}）{self.court_code.text().strip()}{self.case_word.text().strip()}1号"
            if ok
            else "—"
        )
        return ok

    def save(self) -> None:
        if not self.validate():
            self.banner.show_message("有项目需要更正，尚未保存；请按红字提示修改。", "error")
            return
        self.page.save_settings(
            self.banner,
            lambda: self.banner.show_message(
                "法院设置已保存。新的案号代字自下一件登记的案件起使用。", "success"
            ),
            court_name=self.court_name.text().strip(),
            court_code=self.court_code.text().strip(),
            case_word=self.case_word.text().strip(),
            urging_days=self.urging_days.value(),
            supervision_limit_days=self.supervision_limit_days.value(),
            unserved_flag_days=self.unserved_flag_days.value(),
            suggestion_reply_months=self.suggestion_reply_months.value(),
            suggestion_threshold=self.suggestion_threshold.value(),
            reminder_lead_days=self.reminder_lead_days.value(),
            court_address=self.court_address.text().strip() or None,
            court_phone=self.court_phone.text().strip() or None,
            court_account=self.court_account.text().strip() or None,
            time_zone=self.time_zone.text().strip(),
        )


class FontsTab(QWidget):
    """Print and interface fonts: a court's own licensed fonts, else the bundled ones."""

    FIELDS = (
        ("print_font_body", "正文字体（仿宋类）", "正文 16 磅，如 仿宋_GB2312"),
        ("print_font_title", "标题字体（宋体类）", "标题 22 磅，如 方正小标宋简体"),
        ("ui_font", "界面字体", "界面显示用字体，重启后生效"),
    )

    def __init__(self, page: SettingsHost) -> None:
        super().__init__()
        self.page = page
        self.banner = Banner()
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(10)
        for key, label, hint in self.FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(f"未设置：使用随软件提供的字体 — {hint}")
            browse = plain_button("选择文件…")
            browse.clicked.connect(lambda _c=False, k=key: self.browse(k))
            clear = plain_button("恢复默认")
            clear.clicked.connect(lambda _c=False, e=edit: e.clear())
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            row.addWidget(clear)
            holder = QWidget()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            form.addRow(label, holder)
            self.edits[key] = edit
        box = QGroupBox("字体文件")
        box.setLayout(form)
        self.save_button = plain_button("保存字体设置")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(box)
        self.in_use = note_label("")
        self.in_use.setObjectName("printFacesInUse")
        in_use_box = QGroupBox("各用途现用的字体文件")
        in_use_layout = QVBoxLayout(in_use_box)
        in_use_layout.addWidget(self.in_use)
        layout.addWidget(in_use_box)
        layout.addWidget(
            note_label(
                "未设置字体文件时，软件在本机字体文件夹中按字体名称查找仿宋、小标宋、黑体、楷体、宋体；"
                "找不到的用随软件提供的字体。生僻字依次从本机的宋体、扩展字库（SimSun-ExtB 等）和"
                "随软件提供的生僻字字库中取字形。"
            )
        )
        layout.addWidget(
            note_label(
                "打印文书须嵌入 TrueType 字体（.ttf 或 .ttc）；OpenType/CFF 字体（如部分思源字体）无法嵌入。"
                "未设置时使用随软件提供的 AR PL UMing（宋体类）和文泉驿微米黑（界面）。"
                "法院自有的仿宋_GB2312、方正小标宋等字体，请确认已取得使用授权。"
            )
        )
        layout.addLayout(buttons)
        layout.addStretch(1)

    def load(self) -> None:
        for key, edit in self.edits.items():
            edit.setText(self.page.settings_values[key] or "")
        faces = print_faces(self.page.ctx.db)
        self.in_use.setText("\n".join(f"{role}：{where}" for role, where in faces))

    def browse(self, key: str) -> None:
        start = self.edits[key].text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "选择字体文件", start, "TrueType 字体 (*.ttf *.ttc);;所有文件 (*)"
        )
        if path:
            self.edits[key].setText(path)

    def save(self) -> None:
        values: dict[str, object] = {}
        for key, edit in self.edits.items():
            text = edit.text().strip()
            if text and not Path(text).is_file():
                self.banner.show_message(f"找不到字体文件“{text}”；请重新选择。", "error")
                return
            if text and Path(text).suffix.lower() not in {".ttf", ".ttc"}:
                self.banner.show_message(
                    f"“{Path(text).name}”不是 TrueType 字体（.ttf/.ttc），打印时无法嵌入；请另选。",
                    "error",
                )
                return
            values[key] = text or None
        self.page.save_settings(
            self.banner,
            lambda: self.banner.show_message(
                "字体设置已保存；界面字体在重新启动后生效。", "success"
            ),
            **values,
        )
