"""Warnings panel: recommended level per city with its evidence, warnings in force and pending, and the
issue / upgrade / downgrade / lift dialog (reason required; buttons follow the user's role)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QMessageBox, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from console.command import decisions
from console.command.mode import ConsoleClock
from console.command.users import PERMISSIONS, Actor
from console.errors import LantianError
from console.store.db import Store
from models import warnings as W
from models.rules import load_rule_file

COLOURS = load_rule_file("warning_schemes.json")["level_colours"]
NAMES = load_rule_file("warning_schemes.json")["level_names"]


class IssueDialog(QDialog):
    """Choose a level (none = lift) and give the reason; shows the recommendation's evidence."""

    def __init__(self, city: str, city_name: str, current: str, rec: W.Recommendation | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Warning decision — {city_name}")
        self.level = QComboBox(self)
        for lv in W.LEVELS:
            self.level.addItem(f"{NAMES[lv]['zh']} / {NAMES[lv]['en']}" + (" — lift 解除" if lv == "none" else ""), lv)
        want = rec.level if rec is not None and rec.level != current else ("none" if current != "none" else "yellow")
        self.level.setCurrentIndex(W.LEVELS.index(want))
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("reason (required) / 理由（必填）")
        ev = QLabel(self)
        ev.setWordWrap(True)
        if rec is not None:
            lines = [f"recommended: {rec.level} ({rec.basis}; {rec.scheme_version})"]
            lines += [f"• {e.condition}: {', '.join(e.days)} AQI {e.aqi}" + (f" P {e.probabilities}" if e.probabilities else "")
                      for e in rec.evidence]
            lines.append(f"lifting rule: {rec.lift_reason}")
            ev.setText("\n".join(lines))
        form = QFormLayout(self)
        form.addRow("In force / 当前", QLabel(NAMES[current]["zh"]))
        form.addRow("Level / 级别", self.level)
        form.addRow("Evidence / 依据", ev)
        form.addRow("Reason / 理由", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)


class WarningsPanel(QWidget):
    """Recommendations (from the core) and the warning decisions on them."""

    decisionMade = Signal(str)

    def __init__(self, store: Store, actor: Actor | None = None, clock: ConsoleClock | None = None,
                 city_names: dict[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.clock = store, clock
        self.names = city_names or {}
        self.recs: dict[str, W.Recommendation] = {}
        self.basis = QLabel("no evaluation yet", self)
        self.basis.setWordWrap(True)
        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(["city 城市", "recommended 建议", "in force 当前", "action", "evidence 依据",
                                              "scheme"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.pending = QTableWidget(0, 5, self)
        self.pending.setHorizontalHeaderLabels(["#", "city", "level", "action", "proposed by / reason"])
        self.pending.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pending.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pending.horizontalHeader().setStretchLastSection(True)
        self.decide_btn = QPushButton("Issue / change / lift… 发布/调整/解除", self)
        self.approve_btn = QPushButton("Approve 批准", self)
        self.reject_btn = QPushButton("Reject 驳回", self)
        self.decide_btn.clicked.connect(self.decide_selected)
        self.approve_btn.clicked.connect(lambda: self.approve_selected(True))
        self.reject_btn.clicked.connect(lambda: self.approve_selected(False))
        self.role_label = QLabel(self)
        row = QHBoxLayout()
        row.addWidget(self.role_label, 1)
        row.addWidget(self.decide_btn)
        row2 = QHBoxLayout()
        row2.addStretch(1)
        row2.addWidget(self.approve_btn)
        row2.addWidget(self.reject_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.basis)
        lay.addWidget(self.table, 2)
        lay.addLayout(row)
        lay.addWidget(QLabel("Pending approval 待批准", self))
        lay.addWidget(self.pending, 1)
        lay.addLayout(row2)
        self.set_actor(actor)
        self.refresh()

    def set_actor(self, actor: Actor | None) -> None:
        """Who acts; propose needs operator/analyst/commander, approve needs commander."""
        self.actor = actor
        can_propose = actor is not None and actor.role in PERMISSIONS["warning.propose"]
        can_approve = actor is not None and actor.role in PERMISSIONS["warning.approve"]
        self.decide_btn.setEnabled(can_propose)
        self.approve_btn.setEnabled(can_approve)
        self.reject_btn.setEnabled(can_approve)
        self.role_label.setText("not signed in" if actor is None else f"{actor.name} ({actor.role})"
                                + ("" if can_approve else " — approval needs a commander"))

    def set_recommendations(self, recs: list[W.Recommendation], basis: str) -> None:
        """Show recommendations computed by the core (``console.command.schemes.recommend``)."""
        self.recs = {r.city: r for r in recs}
        self.basis.setText(f"basis 依据: {basis}")
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        active = decisions.active_warnings(self.store)
        cities = list(self.recs) or sorted(active)
        self.table.setRowCount(len(cities))
        for r, city in enumerate(cities):
            rec = self.recs.get(city)
            cur = active.get(city, "none")
            lv = rec.level if rec else "none"
            ev = "; ".join(f"{e.condition} on {', '.join(e.days)}" for e in (rec.evidence[:1] if rec else []))
            if rec and not ev:
                ev = "forecast AQI " + ", ".join("-" if x is None else f"{x:.0f}" for x in rec.forecast_aqi)
            act = W.escalation(cur, lv)
            if act == "lift" and rec is not None:
                act += " (rule met)" if rec.lift_allowed else " (rule NOT met)"
            vals = [self.names.get(city, city), NAMES[lv]["zh"], NAMES[cur]["zh"], act, ev,
                    (rec.scheme_version + (" UNCONFIRMED" if rec.unconfirmed else "")) if rec else ""]
            for c, v in enumerate(vals):
                item = QTableWidgetItem(v)
                if c in (1, 2):
                    key = lv if c == 1 else cur
                    item.setBackground(QBrush(QColor(COLOURS[key] if key != "none" else "#EEEEEE")))
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, city)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        pend = decisions.warnings_table(self.store, "pending")
        self.pending.setRowCount(len(pend))
        for r, row in enumerate(pend.itertuples()):
            for c, v in enumerate([str(row.id), self.names.get(row.city, row.city), row.level, row.action,
                                   f"{row.proposed_by}: {row.reason}"]):
                item = QTableWidgetItem(v)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, int(row.id))
                self.pending.setItem(r, c, item)

    def selected_city(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].tableWidget().item(items[0].row(), 0).data(Qt.ItemDataRole.UserRole) if items else None

    @Slot()
    def decide_selected(self, level: str | None = None, reason: str | None = None) -> int | None:
        """Open the decision dialog for the selected city (or decide directly when level and reason are given)."""
        city = self.selected_city()
        if city is None:
            return None
        rec = self.recs.get(city)
        if level is None:
            cur = decisions.active_warnings(self.store).get(city, "none")
            dlg = IssueDialog(city, self.names.get(city, city), cur, rec, self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return None
            level, reason = dlg.level.currentData(), dlg.reason.toPlainText()
        try:
            wid = decisions.propose_warning(self.store, self.actor, city, level, reason or "", recommendation=rec,
                                            clock=self.clock)
        except LantianError as exc:
            self._error(str(exc))
            return None
        self.decisionMade.emit(f"warning #{wid} {level} for {city}")
        self.refresh()
        return wid

    @Slot()
    def approve_selected(self, approve: bool = True, reason: str = "approved in warnings panel") -> bool:
        items = self.pending.selectedItems()
        if not items:
            return False
        wid = int(self.pending.item(items[0].row(), 0).data(Qt.ItemDataRole.UserRole))
        try:
            if approve:
                decisions.approve_warning(self.store, self.actor, wid, reason, clock=self.clock)
            else:
                decisions.reject_warning(self.store, self.actor, wid, reason, clock=self.clock)
        except LantianError as exc:
            self._error(str(exc))
            return False
        self.decisionMade.emit(f"warning #{wid} {'approved' if approve else 'rejected'}")
        self.refresh()
        return True

    def _error(self, text: str) -> None:
        self.last_error = text
        if self.isVisible():
            QMessageBox.warning(self, "Lantian", text)
