"""The clerks' manual (帮助 → 用户手册, F1): the Chinese HTML manual shipped in
resources/manual, shown in a window of the app, opened at the section of the page the clerk is
on, and printable on the office printer."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.resources_access import resource_path

SECTIONS = {
    "start": "开始使用",
    "due": "今日待办",
    "docket": "案件台账",
    "register": "登记案件",
    "case": "案件详情",
    "documents": "文书与送达",
    "contacts": "电话与上门督促",
    "performance": "履行与和解",
    "closing": "结案与移送执行",
    "batch": "批量打印",
    "kits": "离线包",
    "stats": "统计",
    "assign": "分案",
    "mediation": "委托调解",
    "suggestions": "司法建议",
    "messages": "短信发件箱",
    "backup": "备份与恢复",
    "settings": "设置",
    "problems": "遇到问题时",
}
"""The manual's sections: anchor -> heading (tests check each anchor exists in the HTML)."""


def manual_file() -> str:
    return str(resource_path("manual", "index.html"))


class ManualWindow(QDialog):
    """One window per main window; `show_section` brings it up at a section."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("执前督促 用户手册")
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)
        self.setModal(False)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setSource(QUrl.fromLocalFile(manual_file()))
        contents = QPushButton("目录")
        contents.clicked.connect(lambda: self.show_section("start"))
        back = QPushButton("后退")
        back.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(back.setEnabled)
        back.setEnabled(False)
        print_button = QPushButton("打印…")
        print_button.clicked.connect(self._print)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (contents, back, print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.browser, 1)
        self.resize(980, 760)

    def show_section(self, anchor: str) -> None:
        if anchor not in SECTIONS:
            anchor = "start"
        url = QUrl.fromLocalFile(manual_file())
        url.setFragment(anchor)
        self.browser.setSource(url)
        self.browser.scrollToAnchor(anchor)
        self.show()
        self.raise_()
        self.activateWindow()

    def section(self) -> str:
        return self.browser.source().fragment()

    def print_to(self, printer: QPrinter) -> None:
        """The whole manual, pictures included, on `printer` (A4 unless the printer says else)."""
        self.browser.document().print_(printer)

    def _print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印用户手册")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)
