"""City ranking: the cities sorted by AQI at the clock hour, with level colour, primary pollutant,
the six pollutants and the 24-h change; every column sorts."""
from __future__ import annotations

import math

from PySide6.QtCore import (QAbstractTableModel, QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Slot)
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QTableView

from console.maprender import text_colour_on
from models.aqi import POLLUTANTS, level_info
from ui.state import ConsoleState

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 2
SHOWN = ("PM2.5", "PM10", "O3", "NO2", "SO2", "CO")  # display order of the six pollutants
assert set(SHOWN) == set(POLLUTANTS)
COLUMNS = ("city", "AQI", "level", "primary", *SHOWN, "change")
PRETTY = {"PM2.5": "PM2.5", "PM10": "PM10", "O3": "O₃", "NO2": "NO₂", "SO2": "SO₂", "CO": "CO"}


class RankingModel(QAbstractTableModel):
    """Table model reading the clock hour straight from the state's numpy arrays."""

    def __init__(self, state: ConsoleState, parent=None):
        super().__init__(parent)
        self.state = state
        state.dataChanged.connect(self._reset)
        state.timeChanged.connect(self._values_changed)
        state.languageChanged.connect(self._reset)

    def _headers(self) -> list[str]:
        t = self.tr
        names = {"city": t("City"), "AQI": "AQI", "level": t("Level"), "primary": t("Primary"), "change": t("24 h Δ")}
        return [names.get(c) or PRETTY[c] for c in COLUMNS]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.state.data is None else len(self.state.data.codes)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers()[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            col = COLUMNS[section]
            if col in POLLUTANTS:
                return self.tr("1-h concentration, mg/m³") if col == "CO" else self.tr("1-h concentration, µg/m³")
            if col == "change":
                return self.tr("AQI change against the same hour the day before")
        return None

    def value(self, row: int, col: str):
        """Numeric/text value of a cell (used for display and sorting)."""
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

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.state.data is None:
            return None
        row, col = index.row(), COLUMNS[index.column()]
        v = self.value(row, col)
        missing = isinstance(v, float) and not math.isfinite(v)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "city" or col == "primary":
                return v or "—"
            if missing:
                return "—"
            if col == "level":
                lv = int(self.state.data.level[row, self.state.index])
                info = level_info(lv) if lv else None
                return (info.category_zh if self.state.language == "zh" else info.category_en) if info else "—"
            if col == "change":
                return f"{v:+.0f}"
            if col == "CO":
                return f"{v:.2f}"
            return f"{v:.0f}"
        if role == SORT_ROLE:
            if col in ("city", "primary"):
                return str(v)
            return v if not missing else -1e9
        if role == CODE_ROLE:
            return self.state.data.codes[row]
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in ("city", "primary", "level"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if col in ("AQI", "level") and not missing:
            lv = int(self.state.data.level[row, self.state.index])
            if lv and role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(level_info(lv).hex))
            if lv and role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(text_colour_on(QColor(level_info(lv).hex)))
        if col == "AQI" and role == Qt.ItemDataRole.FontRole:
            f = QFont()
            f.setBold(True)
            return f
        if col == "change" and role == Qt.ItemDataRole.ForegroundRole and not missing:
            return QBrush(QColor(170, 40, 30) if v > 0 else QColor(30, 110, 60) if v < 0 else QColor(90, 90, 90))
        return None

    @Slot()
    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    @Slot(int)
    def _values_changed(self, _i: int) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))


class LevelColourDelegate(QStyledItemDelegate):
    """Keeps the level colour visible on the selected row (selection drawn as a frame instead)."""

    def paint(self, painter, option, index) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected and index.data(Qt.ItemDataRole.BackgroundRole) is not None:
            option.state &= ~QStyle.StateFlag.State_Selected
            super().paint(painter, option, index)
            painter.save()
            painter.setPen(QPen(QColor(20, 60, 140), 2))
            painter.drawLine(option.rect.topLeft(), option.rect.topRight())
            painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
            painter.restore()
        else:
            super().paint(painter, option, index)


class RankingView(QTableView):
    """The sortable table; clicking a row selects that city everywhere."""

    def __init__(self, state: ConsoleState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("ranking")
        self.model_ = RankingModel(state, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model_)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setDynamicSortFilter(True)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setItemDelegate(LevelColourDelegate(self))
        pal = self.palette()
        pal.setColor(pal.ColorRole.Highlight, QColor(205, 222, 245))
        pal.setColor(pal.ColorRole.HighlightedText, QColor(0, 0, 0))
        self.setPalette(pal)
        self.verticalHeader().setDefaultSectionSize(22)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setStretchLastSection(False)
        self.selectionModel().selectionChanged.connect(self._user_selected)
        state.selectionChanged.connect(self._follow_selection)
        state.dataChanged.connect(lambda: self._follow_selection(state.selected))
        self._syncing = False

    def preferred_width(self) -> int:
        """Width that shows every column without a horizontal scroll bar."""
        self.resizeColumnsToContents()
        return (self.horizontalHeader().length() + self.verticalHeader().width() + 2 * self.frameWidth()
                + self.verticalScrollBar().sizeHint().width() + 4)

    def codes_in_order(self) -> list[str]:
        """City codes as displayed (top to bottom)."""
        return [self.proxy.index(r, 0).data(CODE_ROLE) for r in range(self.proxy.rowCount())]

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
            for r in range(self.proxy.rowCount()):
                idx = self.proxy.index(r, 0)
                if idx.data(CODE_ROLE) == city:
                    sm.select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
                              | QItemSelectionModel.SelectionFlag.Rows)
                    self.scrollTo(idx)
                    break
        finally:
            self._syncing = False
