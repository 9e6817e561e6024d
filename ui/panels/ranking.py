"""City ranking: the cities sorted by AQI at the clock hour, with level colour, primary pollutant,
the six pollutants and the 24-h change; every column sorts.

A QStandardItemModel filled once per clock tick: painting and sorting then run in C++ without
calling back into Python for every cell and role (which cost ~20 ms a tick with a Python model).
"""
from __future__ import annotations

import math

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from console.maprender import text_colour_on
from models.aqi import POLLUTANTS, level_info
from ui.state import ConsoleState

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 2
SHOWN = ("PM2.5", "PM10", "O3", "NO2", "SO2", "CO")  # display order of the six pollutants
assert set(SHOWN) == set(POLLUTANTS)
COLUMNS = ("city", "AQI", "level", "primary", *SHOWN, "change")
PRETTY = {"PM2.5": "PM2.5", "PM10": "PM10", "O3": "O₃", "NO2": "NO₂", "SO2": "SO₂", "CO": "CO"}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_SWATCHES: dict[str, QPixmap] = {}


def swatch(colour: QColor) -> QPixmap:
    """A small level-colour square (cached); it keeps the level visible on the selected row."""
    key = colour.name()
    if key not in _SWATCHES:
        pm = QPixmap(10, 10)
        pm.fill(colour)
        p = QPainter(pm)
        p.setPen(QColor(60, 60, 60))
        p.drawRect(0, 0, 9, 9)
        p.end()
        _SWATCHES[key] = pm
    return _SWATCHES[key]


class RankingModel(QStandardItemModel):
    """One row per city; :meth:`refresh` rewrites the values of the clock hour and re-sorts."""

    languageRefreshed = Signal()

    def __init__(self, state: ConsoleState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setSortRole(SORT_ROLE)
        self.sort_column, self.sort_order = 1, Qt.SortOrder.DescendingOrder
        self._items: dict[str, list[QStandardItem]] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._headers()
        state.dataChanged.connect(self._rebuild)
        state.timeChanged.connect(self.refresh)
        state.languageChanged.connect(self._language)

    def _headers(self) -> None:
        t = self.tr
        names = {"city": t("City"), "AQI": "AQI", "level": t("Level"), "primary": t("Primary"), "change": t("24 h Δ")}
        self.setHorizontalHeaderLabels([names.get(c) or PRETTY[c] for c in COLUMNS])
        for i, col in enumerate(COLUMNS):
            tip = None
            if col in POLLUTANTS:
                tip = self.tr("1-h concentration, mg/m³") if col == "CO" else self.tr("1-h concentration, µg/m³")
            elif col == "change":
                tip = self.tr("AQI change against the same hour the day before")
            if tip:
                self.horizontalHeaderItem(i).setToolTip(tip)

    def value(self, row: int, col: str):
        """Numeric/text value of a cell for data row ``row`` (the city's index in the data)."""
        d, i = self.state.data, self.state.index
        if col == "city":
            return d.name(row, self.state.language)
        if col in ("AQI", "level"):
            return float(d.aqi[row, i])
        if col == "primary":
            return d.primary[row, i] if math.isfinite(d.aqi[row, i]) else ""
        if col == "change":
            return float(d.aqi[row, i] - d.aqi[row, i - 24]) if i >= 24 else math.nan
        return float(d.conc[col][row, i])

    @Slot()
    def _rebuild(self) -> None:
        self.removeRows(0, self.rowCount())
        self._items.clear()
        d = self.state.data
        if d is None:
            return
        for code in d.codes:
            items = [QStandardItem() for _ in COLUMNS]
            for it in items:
                it.setEditable(False)
                it.setData(code, CODE_ROLE)
            for k, col in enumerate(COLUMNS):
                if col not in ("city", "primary", "level"):
                    items[k].setTextAlignment(RIGHT)
            items[1].setFont(self._bold)
            self._items[code] = items
            self.appendRow(items)
        self.refresh()

    @Slot()
    def _language(self) -> None:
        self._headers()
        self.refresh()
        self.languageRefreshed.emit()

    @Slot()
    def refresh(self, *_args) -> None:
        """Write the clock hour's values into the items, then re-apply the sort."""
        d = self.state.data
        if d is None or not self._items:
            return
        lang, i = self.state.language, self.state.index
        self.blockSignals(True)  # one layout change at the end instead of a signal per cell
        try:
            for row, code in enumerate(d.codes):
                items = self._items[code]
                aqi = float(d.aqi[row, i])
                lv = int(d.level[row, i]) if math.isfinite(aqi) else 0
                info = level_info(lv) if lv else None
                bg = QColor(info.hex) if info else None
                for k, col in enumerate(COLUMNS):
                    it = items[k]
                    v = self.value(row, col)
                    missing = isinstance(v, float) and not math.isfinite(v)
                    if col in ("city", "primary"):
                        text = v or "—"
                    elif missing:
                        text = "—"
                    elif col == "level":
                        text = info.category(lang) if info else "—"
                    elif col == "change":
                        text = f"{v:+.0f}" if round(v) else "0"
                    elif col == "CO":
                        text = f"{v:.2f}"
                    else:
                        text = f"{v:.0f}"
                    it.setText(text)
                    it.setData(str(v) if col in ("city", "primary") else (-1e9 if missing else v), SORT_ROLE)
                    if col == "AQI":  # the one cell filled with the level colour
                        it.setBackground(QBrush(bg) if bg else QBrush())
                        it.setForeground(QBrush(text_colour_on(bg)) if bg else QBrush())
                    elif col == "level":  # a swatch: stays visible on the selected row
                        it.setData(swatch(bg) if bg else None, Qt.ItemDataRole.DecorationRole)
                    elif col == "change":
                        it.setForeground(QBrush(QColor(90, 90, 90) if missing or v == 0 else
                                                QColor(170, 40, 30) if v > 0 else QColor(30, 110, 60)))
        finally:
            self.blockSignals(False)
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1))
        self.sort(self.sort_column, self.sort_order)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Remember the user's sort so every tick keeps it."""
        self.sort_column, self.sort_order = column, order
        super().sort(column, order)

    def row_code(self, r: int) -> str:
        return self.item(r, 0).data(CODE_ROLE)


class RankingView(QTableView):
    """The sortable table; clicking a row selects that city everywhere."""

    def __init__(self, state: ConsoleState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("ranking")
        self.model_ = RankingModel(state, self)
        self.setModel(self.model_)
        self.setSortingEnabled(True)
        self.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        pal = self.palette()
        pal.setColor(pal.ColorRole.Highlight, QColor(205, 222, 245))
        pal.setColor(pal.ColorRole.HighlightedText, QColor(0, 0, 0))
        self.setPalette(pal)
        self.verticalHeader().setDefaultSectionSize(22)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(False)
        self.selectionModel().selectionChanged.connect(self._user_selected)
        state.selectionChanged.connect(self._follow_selection)
        state.dataChanged.connect(self._data_loaded)
        self.model_.languageRefreshed.connect(self.resizeColumnsToContents)
        self._syncing = False

    def preferred_width(self) -> int:
        """Width that shows every column without a horizontal scroll bar."""
        self.resizeColumnsToContents()
        return (self.horizontalHeader().length() + self.verticalHeader().width() + 2 * self.frameWidth()
                + self.verticalScrollBar().sizeHint().width() + 4)

    def preferred_height(self) -> int:
        """Height that shows all rows."""
        return (self.horizontalHeader().height() + self.verticalHeader().length() + 2 * self.frameWidth()
                + self.horizontalScrollBar().sizeHint().height() + 4)

    def codes_in_order(self) -> list[str]:
        """City codes as displayed (top to bottom)."""
        return [self.model_.row_code(r) for r in range(self.model_.rowCount())]

    @Slot()
    def _data_loaded(self) -> None:
        self.resizeColumnsToContents()
        self._follow_selection(self.state.selected)

    def _user_selected(self, *_args) -> None:
        if self._syncing:
            return
        rows = self.selectionModel().selectedRows()
        if rows:
            self.state.select(rows[0].data(CODE_ROLE))

    @Slot(str)
    def _follow_selection(self, _code: str) -> None:
        city = self.state.selected_city()
        self._syncing = True
        try:
            sm = self.selectionModel()
            if city is None:
                sm.clearSelection()
                return
            for r in range(self.model_.rowCount()):
                if self.model_.row_code(r) == city:
                    idx = self.model_.index(r, 0)
                    sm.select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
                              | QItemSelectionModel.SelectionFlag.Rows)
                    self.scrollTo(idx)
                    break
        finally:
            self._syncing = False
