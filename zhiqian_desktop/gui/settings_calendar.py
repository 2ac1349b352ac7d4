"""设置 › 节假日: the holiday table of a year as the State Council publishes it."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.form_fields import (
    Banner,
    DateLineEdit,
    FieldError,
)
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.settings_common import SettingsHost, note_label, plain_button
from zhiqian_desktop.gui.table_state import TableMemory
from zhiqian_desktop.services.core import calendar as calendar_service

WEEKDAYS = "一二三四五六日"
HOLIDAY, WORKDAY = "holiday", "workday"
KIND_LABELS = {HOLIDAY: "放假", WORKDAY: "调休上班"}
HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


class CalendarTab(QWidget):
    """The holiday table: one year's official holidays and adjusted working days."""

    def __init__(self, page: SettingsHost) -> None:
        super().__init__()
        self.page = page
        self.rows: list[tuple[date, str, str]] = []
        self.dirty = False
        self.missing_banner = Banner()
        self.banner = Banner()
        self.year = QSpinBox()
        self.year.setRange(2000, 2099)
        self.year.setValue(page.today.year)
        self.year.setMaximumWidth(110)
        self.year.setSuffix(" 年")
        self.source = note_label("")
        self.years_status = note_label("")
        self.take_in_button = plain_button("载入随软件提供的新年份")
        self.take_in_button.hide()
        self.take_in_button.clicked.connect(self.take_in_built_in_years)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["日期", "星期", "安排", "节日"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.memory = TableMemory(self.table, page.ctx.actor.username, "holidays")

        self.from_date = DateLineEdit()
        self.to_date = DateLineEdit()
        self.to_date.setPlaceholderText("至（单日可不填）")
        self.kind = QComboBox()
        self.kind.addItem("放假", HOLIDAY)
        self.kind.addItem("调休上班", WORKDAY)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(list(HOLIDAY_NAMES))
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.add_button = plain_button("添加")
        self.remove_button = plain_button("删除所选")
        self.save_button = plain_button("保存本年节假日")
        self.revert_button = plain_button("放弃修改")
        self.add_error = FieldError()

        top = QHBoxLayout()
        top.addWidget(QLabel("年份"))
        top.addWidget(self.year)
        top.addWidget(self.source, 1)
        entry_box = QGroupBox("按通知录入")
        entry = QFormLayout(entry_box)
        entry.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        dates = QHBoxLayout()
        dates.addWidget(self.from_date)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.to_date)
        dates_holder = QWidget()
        dates_holder.setLayout(dates)
        dates.setContentsMargins(0, 0, 0, 0)
        entry.addRow("日期", dates_holder)
        entry.addRow("安排", self.kind)
        entry.addRow("节日", self.name)
        entry.addRow("", self.add_button)
        entry.addRow("", self.add_error)
        entry.addRow(
            note_label(
                "国务院办公厅每年年底前后公布下一年的部分节假日安排。按通知逐项录入：\n"
                "“2月15日至23日放假调休，共9天”——日期填 2月15日 至 2月23日，安排选“放假”；\n"
                "“2月14日（周六）上班”——日期填该日，安排选“调休上班”。\n"
                "周末本来就是休息日，放假期间的周末可录可不录；调休上班日只能是周六或周日。"
            )
        )
        side = QVBoxLayout()
        side.addWidget(entry_box)
        side.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.save_button)
        left = QVBoxLayout()
        left.addLayout(top)
        status_row = QHBoxLayout()
        status_row.addWidget(self.years_status, 1)
        status_row.addWidget(self.take_in_button)
        left.addLayout(status_row)
        left.addWidget(self.table, 1)
        left.addLayout(actions)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.missing_banner)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)

        self.year.valueChanged.connect(self._year_changed)
        self.add_button.clicked.connect(self.add_days)
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.load)
        self._shown_year = self.year.value()

    def load(self) -> None:
        year = self.year.value()
        view = calendar_service.calendar_year(self.page.ctx.db, year, today=self.page.today)
        missing, source = view.missing, view.source
        self.rows = [(r.day, r.kind, r.name or "") for r in view.rows]
        self._shown_year = year
        self.dirty = False
        self.banner.clear_message()
        if missing:
            years = "、".join(f"{y}年" for y in missing)
            self.missing_banner.show_message(
                f"节假日表中还没有{years}的数据。国务院办公厅通常在上一年年底前后公布下一年的放假安排；"
                "通知公布后，请在下方选择年份，按通知录入放假日和调休上班日并保存。"
                "在此之前，落在该年的期限按《全国年节及纪念日放假办法》规定的法定节日和周末推算"
                "（调休、补假以通知为准），并会提示人工核对。",
                "warning",
            )
        else:
            self.missing_banner.clear_message()
        if source is None:
            self.source.setText(
                f"{year}年：仅法定节日（尚未录入国务院办公厅的放假安排通知，"
                "期限按法定节日和周末推算，须人工核对）"
            )
        else:
            who = f"，录入人 {source[1]}" if source[1] and source[1] != "system" else ""
            origin = calendar_service.source_label(source[0], year)
            self.source.setText(f"{year}年：已公布。来源：{origin}{who}")
        self.years_status.setText(
            "各年份：" + "　".join(f"{st.year}年 {st.label}" for st in view.statuses)
        )
        self.take_in_button.setVisible(bool(view.new_years))
        if view.new_years:
            self.take_in_button.setText(
                "载入随软件提供的" + "、".join(f"{y}年" for y in view.new_years) + "放假安排"
            )
        self._show_rows()

    def _show_rows(self) -> None:
        self.rows.sort()
        self.table.setRowCount(len(self.rows))
        for r, (day, kind, name) in enumerate(self.rows):
            cells = (
                day.isoformat(),
                f"星期{WEEKDAYS[day.weekday()]}",
                KIND_LABELS.get(kind, kind),
                name,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if kind == WORKDAY:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        self.memory.arrange()
        self.save_button.setEnabled(self.dirty)
        self.revert_button.setEnabled(self.dirty)

    def _year_changed(self, year: int) -> None:
        if self.dirty and year != self._shown_year:
            self.year.blockSignals(True)
            self.year.setValue(self._shown_year)
            self.year.blockSignals(False)
            self.banner.show_message(
                f"{self._shown_year}年的修改尚未保存；请先保存或放弃修改，再切换年份。", "warning"
            )
            return
        self.from_date.clear()
        self.to_date.clear()
        self.load()

    def add_days(self) -> None:
        try:
            first = self.from_date.date_value()
            last = self.to_date.date_value() or first
        except UserError as exc:
            self.add_error.show_message(exc.message)
            return
        year = self.year.value()
        if first is None or last is None:
            self.add_error.show_message("请填写日期")
            return
        if last < first:
            self.add_error.show_message("结束日期不能早于开始日期")
            return
        if first.year != year or last.year != year:
            self.add_error.show_message(f"日期应在{year}年之内；其他年份请先切换年份")
            return
        kind = str(self.kind.currentData())
        name = self.name.currentText().strip()
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        if kind == WORKDAY:
            weekdays = [d for d in days if d.weekday() < 5]
            if weekdays:
                self.add_error.show_message(
                    f"{weekdays[0].isoformat()} 是星期{WEEKDAYS[weekdays[0].weekday()]}；"
                    "调休上班日只能是周六或周日"
                )
                return
        self.add_error.show_message(None)
        wanted = set(days)
        self.rows = [r for r in self.rows if r[0] not in wanted] + [(d, kind, name) for d in days]
        self.dirty = True
        self.banner.show_message(
            f"已加入{len(days)}天，尚未保存；核对无误后点击“保存本年节假日”。", "info"
        )
        self.from_date.clear()
        self.to_date.clear()
        self._show_rows()
        self.from_date.setFocus()

    def remove_selected(self) -> None:
        picked = {i.row() for i in self.table.selectionModel().selectedRows()}
        if not picked:
            return
        self.rows = [r for i, r in enumerate(self.rows) if i not in picked]
        self.dirty = True
        self._show_rows()

    def save(self) -> None:
        year = self._shown_year
        holidays = [(d, n or None) for d, k, n in self.rows if k == HOLIDAY]
        workdays = [d for d, k, _ in self.rows if k == WORKDAY]
        if not holidays:
            self.banner.show_message(
                f"{year}年还没有录入任何放假日；请先按通知录入再保存。", "error"
            )
            return
        ctx = self.page.ctx

        def done(moved: list[calendar_service.MovedDeadline]) -> None:
            self.load()
            self.banner.show_message(
                f"{year}年节假日已保存（放假{len(holidays)}天，调休上班{len(workdays)}天）。"
                + moved_text(moved),
                "success",
            )

        Operation(
            self,
            lambda _progress: calendar_service.set_year(
                ctx.db, ctx.actor, year, holidays, workdays
            ),
        ).success(done).refused(
            lambda exc: self.banner.show_message(exc.message, "error")
        ).disabling(self.save_button).run_in_background()

    def take_in_built_in_years(self) -> None:
        ctx = self.page.ctx

        def done(result: tuple[list[int], list[calendar_service.MovedDeadline]]) -> None:
            years, moved = result
            self.load()
            shown = "、".join(f"{y}年" for y in years)
            self.banner.show_message(f"已载入{shown}的放假安排。" + moved_text(moved), "success")

        Operation(
            self, lambda _progress: calendar_service.take_in_built_in_years(ctx.db, ctx.actor)
        ).success(done).refused(
            lambda exc: self.banner.show_message(exc.message, "error")
        ).disabling(self.take_in_button).run_in_background()


def moved_text(moved: list[calendar_service.MovedDeadline]) -> str:
    """The pending deadlines an entered notice moved, as the banner lists them."""
    if not moved:
        return "没有尚未到期的期限因此改变。"
    lines = [
        f"{m.case_no}（{m.obligor_names}）：{m.before.isoformat()} → {m.after.isoformat()}"
        for m in moved[:20]
    ]
    more = f"\n……另有{len(moved) - 20}项" if len(moved) > 20 else ""
    return f"以下{len(moved)}项期限的届满日因此改变，请通知承办人：\n" + "\n".join(lines) + more
