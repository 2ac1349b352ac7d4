"""Whether the desktop fits a court's screen: every main page and dialog, and what a clerk would
see cut. Used by the screenshot tool (which also writes the pictures at each size) and by the
test of the screen sizes.

A court PC runs 1366×768 at 100 % or 150 %, 1920×1080 at 150 % and an old 1024×700 monitor: in
the logical pixels the layout works in, a window of 1024×700, 1366×768, 911×512 and 1280×720.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QLabel,
    QRadioButton,
    QScrollArea,
    QTabBar,
    QToolButton,
    QWidget,
)


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    scale: float

    @property
    def logical(self) -> tuple[int, int]:
        """The window's size in the pixels the layout works in (the screen at its scale)."""
        return round(self.width / self.scale), round(self.height / self.scale)


SCREENS = (
    Screen("1024x700@100", 1024, 700, 1.0),
    Screen("1366x768@100", 1366, 768, 1.0),
    Screen("1366x768@150", 1366, 768, 1.5),
    Screen("1920x1080@150", 1920, 1080, 1.5),
)


def _shown(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisibleTo(top) and widget.isVisible()


def _mnemonic_free(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _button_text(button: QAbstractButton) -> str:
    return _mnemonic_free(button.text())


def cut_texts(top: QWidget) -> list[str]:
    """Labels, buttons and tabs on screen whose text is wider than the room they were given,
    measured with each widget's own font."""
    cut: list[str] = []
    for label in top.findChildren(QLabel):
        text = label.text()
        if not _shown(label, top) or not text or label.wordWrap() or not label.pixmap().isNull():
            continue
        if "<" in text:  # rich text: what the label asks for against what it has
            need = label.sizeHint().width()
            room = label.width()
        else:
            if label.buddy() is not None:  # the & of a shortcut is not shown
                text = _mnemonic_free(text)
            lines = text.split("\n")
            need = max(label.fontMetrics().horizontalAdvance(line) for line in lines)
            room = label.contentsRect().width() - 2 * label.margin() - 2 * label.indent()
        if need > room + 1:
            cut.append(f"文字“{text[:30]}”: {need} > {room}")
    for button in top.findChildren(QAbstractButton):
        text = _button_text(button)
        if not _shown(button, top) or not text:
            continue
        if (
            isinstance(button, QToolButton)
            and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        ):
            continue  # its text is the tooltip
        if isinstance(button, (QCheckBox, QRadioButton)):
            room = button.width()
            need = button.sizeHint().width()
        else:
            need = button.fontMetrics().horizontalAdvance(text) + (
                button.iconSize().width() + 4 if not button.icon().isNull() else 0
            )
            room = button.contentsRect().width() - 8
        if need > room + 1:
            cut.append(f"按钮“{text}”: {need} > {room}")
    for bar in top.findChildren(QTabBar):
        if not _shown(bar, top):
            continue
        for i in range(bar.count()):
            need = bar.fontMetrics().horizontalAdvance(bar.tabText(i))
            if need > bar.tabRect(i).width() - 8:
                cut.append(f"标签页“{bar.tabText(i)}”: {need} > {bar.tabRect(i).width()}")
    return cut


def sideways_scrolling(top: QWidget) -> list[str]:
    """Scroll areas of the page (not the tables' own) showing a horizontal scroll bar."""
    found = []
    for area in top.findChildren(QScrollArea):
        inner = area.widget()
        name = type(inner).__name__ if inner is not None else area.objectName()
        if not _shown(area, top):
            continue
        if area.horizontalScrollBar().isVisible():
            found.append(name)
        elif inner is not None and inner.minimumSizeHint().width() > area.viewport().width() + 1:
            # No scroll bar, but the page is wider than the room: its right edge is cut.
            found.append(
                f"{name} 被截断 {inner.minimumSizeHint().width()} > {area.viewport().width()}"
            )
    return found


def fit_problems(top: QWidget, room: tuple[int, int], name: str) -> list[str]:
    """What does not fit a window (or dialog) of ``room`` logical pixels: a minimum size larger
    than the room, a page scrolling sideways, a cut text."""
    problems = []
    hint = top.minimumSizeHint()
    if hint.width() > room[0] or hint.height() > room[1]:
        problems.append(f"{name}: 最小尺寸 {hint.width()}×{hint.height()} 超出 {room[0]}×{room[1]}")
    if top.width() > room[0] or top.height() > room[1]:
        problems.append(f"{name}: 实际尺寸 {top.width()}×{top.height()} 超出 {room[0]}×{room[1]}")
    problems += [f"{name}: 横向滚动 {s}" for s in sideways_scrolling(top)]
    problems += [f"{name}: {c}" for c in cut_texts(top)]
    return problems


def settle(rounds: int = 5) -> None:
    app = QApplication.instance()
    for _ in range(rounds):
        if app is not None:
            app.processEvents()


def wait_for(signal: Any, seconds: int = 30) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(seconds * 1000, loop.quit)
    loop.exec()


def _dialog(window: Any, make: Callable[[], QDialog], room: tuple[int, int]) -> QDialog:
    dialog = make()
    # A dialog opens at its own size, at most the screen's.
    hint = dialog.sizeHint()
    dialog.resize(min(hint.width(), room[0]), min(hint.height(), room[1]))
    dialog.show()
    return dialog


def tour(window: Any, case_id: str, room: tuple[int, int]) -> Iterator[tuple[str, QWidget]]:
    """Each main page and dialog of the desktop, shown in turn in ``window`` (a MainWindow of
    ``room`` logical pixels) for a case with records: (name, the widget to look at)."""
    from zhiqian_desktop.gui.case_form import CaseFormDialog
    from zhiqian_desktop.gui.contact_dialog import ContactDialog
    from zhiqian_desktop.gui.main_window import (
        PAGE_DOCKET,
        PAGE_DUE,
        PAGE_OUTBOX,
        PAGE_SETTINGS,
        PAGE_STATS,
    )
    from zhiqian_desktop.gui.outbox_page import MessageDialog
    from zhiqian_desktop.gui.outcome_dialogs import (
        CloseDialog,
        PaymentDialog,
        SettlementDialog,
        TransferDialog,
    )
    from zhiqian_desktop.gui.service_dialog import ServiceDialog
    from zhiqian_desktop.services.supervision import messages, notices

    ctx = window.ctx
    window.resize(*room)
    window.show()
    settle()
    window.show_page(PAGE_DUE)
    yield "今日待办", window
    window.show_page(PAGE_DOCKET)
    yield "案件台账", window
    window.show_case(case_id)
    tabs = window.case_page.tabs
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        settle()
        yield f"案件详情-{tabs.tabText(i)}", window
    window.show_page(PAGE_STATS)
    stats = window.stats_page
    if stats is not None and stats.status_label.text() in ("", "正在统计…"):
        wait_for(stats.refreshed)
    yield "统计", window
    window.show_page(PAGE_OUTBOX)
    settle()
    yield "短信发件箱", window
    window.show_page(PAGE_SETTINGS)
    settings = window.settings_page
    for i in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(i)
        if (
            settings.tabs.currentWidget() is settings.templates
            and settings.templates.last_pdf is None
        ):
            wait_for(settings.templates.previewUpdated)
        settle()
        yield f"设置-{settings.tabs.tabText(i)}", window
    dialogs: list[tuple[str, Callable[[], QDialog]]] = [
        ("案件表单-新建", lambda: CaseFormDialog(ctx, None, parent=window)),
        ("案件表单-修改", lambda: CaseFormDialog(ctx, case_id, parent=window)),
        ("记录督促", lambda: ContactDialog(ctx, case_id, parent=window)),
        ("登记履行款", lambda: PaymentDialog(ctx, case_id, parent=window)),
        ("登记和解协议", lambda: SettlementDialog(ctx, case_id, parent=window)),
        ("结案", lambda: CloseDialog(ctx, case_id, parent=window)),
        ("移送执行", lambda: TransferDialog(ctx, case_id, parent=window)),
        ("批量打印", lambda: window.batch_print()),
    ]
    served = [row for row in notices.case_documents(ctx.db, case_id).rows if row.can_serve]
    if served:
        document_id = served[0].id
        dialogs.append(("登记送达", lambda: ServiceDialog(ctx, document_id, parent=window)))
    outbox = messages.outbox(ctx.db)
    if outbox:
        dialogs.append(("修改短信", lambda: MessageDialog(outbox[0], window)))
    for name, make in dialogs:
        dialog = _dialog(window, make, room)
        settle()
        yield name, dialog
        dialog.reject()
        dialog.deleteLater()
        settle()
