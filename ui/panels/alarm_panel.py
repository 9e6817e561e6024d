"""Alarm panel: filterable table of alarms with acknowledge and shelve, and a visual flash plus an audible
cue when a new high-priority alarm arrives."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QTimer, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from console.command.alarm_words import alarm_message, condition_words, state_words
from console.command.alarms import (ACK_ACTIVE, HIGH, OPEN_STATES, PRIORITY_NAMES, SHELVED, UNACK_ACTIVE, UNACK_RTN,
                                    AlarmService)
from console.command.observed import store_city_names
from console.command.mode import ConsoleClock
from console.command.users import Actor, PERMISSIONS
from console.errors import LantianError
from console.store.db import Store
from ui import i18n

STATE_COLOURS = {UNACK_ACTIVE: "#D32F2F", UNACK_RTN: "#F57C00", ACK_ACTIVE: "#FBC02D", SHELVED: "#9E9E9E",
                 "NORMAL": "#4CAF50"}
COLUMNS = ("id", "priority", "state", "category", "source", "condition", "raised_at", "acked_by", "message")
CATEGORIES = ("exceedance", "forecast", "feed", "station")


class AlarmModel(QAbstractTableModel):
    """Table model over the alarm rows (the view paints only what is visible, so thousands of rows are cheap).
    Headers, priorities, states and categories are shown in the UI language; the stored codes stay as they are."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple] = []
        self.ids: list[int] = []
        self.states: list[str] = []
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current translation (headers and the words the table shows for stored codes)."""
        t = self.tr
        self.headers = ["#", t("priority"), t("state"), t("category"), t("source"), t("condition"), t("raised"),
                        t("acked by"), t("message")]
        self.words = {"priority": {"high": t("high"), "medium": t("medium"), "low": t("low")},
                      "state": {s: state_words(s, i18n.current())   # one wording with the handover note
                                for s in (UNACK_ACTIVE, ACK_ACTIVE, UNACK_RTN, SHELVED, "NORMAL")},
                      "category": {"exceedance": t("exceedance"), "forecast": t("forecast"), "feed": t("data feed"),
                                   "station": t("station")}}
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def set_frame(self, df) -> None:
        self.beginResetModel()
        self.ids = [int(x) for x in df["id"]]
        self.states = list(df["state"])
        self.rows = [tuple(self._text(col, v) for col, v in zip(COLUMNS, r))
                     for r in df[list(COLUMNS)].itertuples(index=False, name=None)]
        self.endResetModel()

    def _text(self, col: str, v) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if col == "priority":
            name = PRIORITY_NAMES.get(int(v), str(v))
            return self.words["priority"].get(name, name)
        if col == "raised_at":
            return f"{v:%m-%d %H:%M}"
        if col in ("state", "category"):
            return self.words[col].get(str(v), str(v))
        return str(v)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[r][c]
        if role == Qt.ItemDataRole.BackgroundRole and COLUMNS[c] == "state":
            return QBrush(QColor(STATE_COLOURS.get(self.states[r], "#FFFFFF")))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.rows[r][-1]
        if role == Qt.ItemDataRole.UserRole:
            return self.ids[r]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


class ShelveDialog(QDialog):
    """Reason and duration for shelving."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Shelve alarm"))
        self.reason = QLineEdit(self)
        self.hours = QDoubleSpinBox(self)
        self.hours.setRange(0.5, 24)
        self.hours.setValue(4)
        form = QFormLayout(self)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Hours"), self.hours)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        form.addRow(bb)


class AlarmPanel(QWidget):
    """Alarms of the store; call :meth:`refresh` after each new hour (or let ``poll_ms`` do it)."""

    newHighPriority = Signal(list)   # ids of new unacknowledged high-priority alarms
    decisionMade = Signal(str)

    def __init__(self, store: Store, actor: Actor | None = None, clock: ConsoleClock | None = None,
                 poll_ms: int = 0, audible: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = AlarmService(store, clock)
        self.names = store_city_names(store)   # city codes → names in the source column and the messages
        self.actor = actor
        self.audible = audible
        self._seen_high: set[int] | None = None
        self._flashes = 0
        self.beeps = 0
        self.banner = QLabel("", self)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setVisible(False)
        self.state_filter, self.prio_filter, self.cat_filter = QComboBox(self), QComboBox(self), QComboBox(self)
        for box, n in ((self.state_filter, 4), (self.prio_filter, 3), (self.cat_filter, 1 + len(CATEGORIES))):
            for _ in range(n):
                box.addItem("")   # texts in retranslate(); the logic reads indexes and item data
        for i, key in enumerate(("open", "unacknowledged", "shelved", "all")):
            self.state_filter.setItemData(i, key)
        for i, key in enumerate(CATEGORIES, start=1):
            self.cat_filter.setItemData(i, key)
        self.text_filter = QLineEdit(self)
        for w in (self.state_filter, self.prio_filter, self.cat_filter):
            w.currentIndexChanged.connect(self.refresh)
        self.text_filter.setMinimumWidth(40)
        self.text_filter.textChanged.connect(self.refresh)
        self.model = AlarmModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setWordWrap(False)
        for c, w in enumerate((50, 70, 110, 90, 110, 120, 90, 90)):
            self.table.setColumnWidth(c, w)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.ack_btn = QPushButton(self)
        self.shelve_btn = QPushButton(self)
        self.ack_btn.clicked.connect(self.acknowledge_selected)
        self.shelve_btn.clicked.connect(self.shelve_selected)
        self.count_label = QLabel(self)
        self.count_label.setWordWrap(True)
        top = QHBoxLayout()
        for w in (self.state_filter, self.prio_filter, self.cat_filter, self.text_filter):
            top.addWidget(w)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.ack_btn)
        bottom.addWidget(self.shelve_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        self._flash_timer = QTimer(self)
        self._flash_timer.setInterval(250)
        self._flash_timer.timeout.connect(self._flash_step)
        self._poll = QTimer(self)
        if poll_ms:
            self._poll.setInterval(poll_ms)
            self._poll.timeout.connect(self.refresh)
            self._poll.start()
        self.set_actor(actor)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current translation (called again on a language change)."""
        t = self.tr
        self.model.retranslate()   # its words name the categories
        categories = [self.model.words["category"][c] for c in CATEGORIES]
        for box, texts in ((self.state_filter, (t("open"), t("unacknowledged"), t("shelved"), t("all states"))),
                           (self.prio_filter, (t("all priorities"), t("high"), t("high + medium"))),
                           (self.cat_filter, (t("all categories"), *categories))):
            for i, text in enumerate(texts):
                box.setItemText(i, text)
        self.text_filter.setPlaceholderText(t("filter: source / text"))
        self.ack_btn.setText(t("Acknowledge"))
        self.shelve_btn.setText(t("Shelve…"))
        self.refresh()

    # ------------------------------------------------------------------ user and filters
    def set_actor(self, actor: Actor | None) -> None:
        """Who acts; buttons follow the role's permissions."""
        self.actor = actor
        self.ack_btn.setEnabled(actor is not None and actor.role in PERMISSIONS["alarm.ack"])
        self.shelve_btn.setEnabled(actor is not None and actor.role in PERMISSIONS["alarm.shelve"])

    def _filters(self) -> dict:
        st = self.state_filter.currentData()
        states = {"open": OPEN_STATES, "unacknowledged": (UNACK_ACTIVE, UNACK_RTN), "shelved": (SHELVED,),
                  "all": None}[st]
        prio = {0: None, 1: HIGH, 2: 2}[self.prio_filter.currentIndex()]
        cat = self.cat_filter.currentData()   # None for "all categories"
        return dict(states=states, priority=prio, category=cat)

    # ------------------------------------------------------------------ refresh
    @Slot()
    def refresh(self) -> None:
        """Reload the table and raise the cue for new unacknowledged high-priority alarms."""
        df = self._worded(self.service.table(**self._filters(), limit=5000))
        if text := self.text_filter.text().strip().lower():   # what the operator sees, and the stored codes and text
            seen = df[["source", "condition", "message", "stored_source", "stored_message"]].astype(str)
            df = df[seen.apply(lambda col: col.str.lower().str.contains(text, regex=False)).any(axis=1)]
        self.model.set_frame(df)
        counts = self.service.counts()
        self.count_label.setText(self.tr("open {open} · unacknowledged {unack} · high unacknowledged {high}").format(
            open=sum(counts[s] for s in OPEN_STATES), unack=counts[UNACK_ACTIVE] + counts[UNACK_RTN],
            high=counts["unack_high"]))
        high = self.service.table(states=(UNACK_ACTIVE,), priority=HIGH)
        ids = {int(x) for x in high["id"]}
        if self._seen_high is None:
            self._seen_high = ids   # alarms present when the panel opened are not "new"
            return
        new = sorted(ids - self._seen_high)
        self._seen_high |= ids
        if new:
            self._alert(new, self._worded(high[high["id"].isin(new)])["message"].tolist())   # only the new ones

    def _worded(self, df):
        """Alarm rows with conditions and messages in the UI language and city names for city codes (the stored
        rows are unchanged)."""
        lang = i18n.current()
        df = df.assign(stored_source=df["source"], stored_message=df["message"])
        if df.empty:
            return df
        df["message"] = [alarm_message(r, lang, self.names) for r in df.to_dict("records")]
        df["source"] = [self.names.get(str(x), x) for x in df["source"]]
        df["condition"] = [condition_words(str(c), lang) for c in df["condition"]]
        return df

    def _alert(self, ids: list[int], messages: list[str]) -> None:
        self.banner.setText("⚠ " + self.tr("{n} NEW HIGH-PRIORITY ALARM(S)").format(n=len(ids)) + ": "
                            + "; ".join(messages[:3]))
        self.banner.setVisible(True)
        self._flashes = 12
        self._flash_timer.start()
        if self.audible:
            QApplication.beep()
            self.beeps += 1
        self.newHighPriority.emit(ids)

    def _flash_step(self) -> None:
        on = self._flashes % 2 == 0
        self.banner.setStyleSheet("QLabel { background: %s; color: white; font-weight: bold; padding: 6px; }"
                                  % ("#D50000" if on else "#7F0000"))
        self._flashes -= 1
        if self._flashes <= 0:
            self._flash_timer.stop()
            self.banner.setStyleSheet("QLabel { background: #D50000; color: white; font-weight: bold; padding: 6px; }")

    # ------------------------------------------------------------------ decisions
    def selected_ids(self) -> list[int]:
        """Ids of the selected alarms."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedIndexes()})
        return [self.model.ids[r] for r in rows]

    @Slot()
    def acknowledge_selected(self, reason: str = "acknowledged in alarm panel") -> int:
        """Acknowledge the selected alarms (through the audited service); returns how many."""
        n = 0
        for aid in self.selected_ids():
            try:
                self.service.acknowledge(self.actor, aid, reason)
                n += 1
            except LantianError as exc:
                self._error(str(exc))
                break
        if n:
            self.banner.setVisible(False)
            self.decisionMade.emit(self.tr("acknowledged {n} alarm(s)").format(n=n))
        self.refresh()
        return n

    @Slot()
    def shelve_selected(self, reason: str | None = None, hours: float | None = None) -> int:
        """Shelve the selected alarms with a reason and expiry (asks in a dialog when not given)."""
        if reason is None:
            dlg = ShelveDialog(self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return 0
            reason, hours = dlg.reason.text(), dlg.hours.value()
        n = 0
        for aid in self.selected_ids():
            try:
                self.service.shelve(self.actor, aid, reason, hours or 4)
                n += 1
            except LantianError as exc:
                self._error(str(exc))
                break
        if n:
            self.decisionMade.emit(self.tr("shelved {n} alarm(s)").format(n=n))
        self.refresh()
        return n

    def _error(self, text: str) -> None:
        self.last_error = text
        if self.isVisible():
            QMessageBox.warning(self, "Lantian", text)

    def shutdown(self) -> None:
        """Stop timers (the main window calls this on close)."""
        self._poll.stop()
        self._flash_timer.stop()
