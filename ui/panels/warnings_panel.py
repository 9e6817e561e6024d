"""Warnings panel: recommended level per city with its evidence — from the forecast model and from persistence of
the observed AQI, side by side — warnings in force and pending, and the issue / upgrade / downgrade / lift dialog
(reason required; buttons follow the user's role).  Texts follow the UI language; codes stay underneath."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QMessageBox, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from console.command import decisions
from console.command.mode import ConsoleClock
from console.command.schemes import DEFAULT_BASIS, MODEL, PERSISTENCE, BothBases  # the bases: combo item data
from console.command.users import PERMISSIONS, Actor
from console.errors import LantianError
from console.store.db import Store
from models import warnings as W
from models.rules import load_rule_file
from ui import i18n

COLOURS = load_rule_file("warning_schemes.json")["level_colours"]
NAMES = W.level_names()


def tr(text: str) -> str:
    """Translate in the panel's context (module-level words and the decision dialog)."""
    return QCoreApplication.translate("WarningsPanel", text)


def level_name(level: str) -> str:
    """A warning level's name in the UI language (from the scheme file)."""
    return NAMES[level]["zh" if i18n.current() == "zh" else "en"]


def action_words(action: str) -> str:
    """issue / upgrade / downgrade / lift / keep in the UI language."""
    return {"issue": tr("issue"), "upgrade": tr("upgrade"), "downgrade": tr("downgrade"), "lift": tr("lift"),
            "keep": tr("keep")}.get(action, action)


def evidence_words(e: W.Evidence) -> str:
    """One evidence line in the UI language: the condition met and the forecast days that met it."""
    return W.evidence_text(e, i18n.current(), short_days=True)


def lift_words(rec: W.Recommendation) -> str:
    return W.lift_text(rec.lift, i18n.current()) if rec.lift else rec.lift_reason


class IssueDialog(QDialog):
    """Choose a level (none = lift) and give the reason; shows the recommendation's evidence."""

    def __init__(self, city: str, city_name: str, current: str, rec: W.Recommendation | None, parent=None,
                 basis: str = ""):
        super().__init__(parent)
        self.setWindowTitle(tr("Warning decision — {city}").format(city=city_name))
        self.level = QComboBox(self)
        for lv in W.LEVELS:
            self.level.addItem(level_name(lv) + (" — " + tr("lift") if lv == "none" else ""), lv)
        want = rec.level if rec is not None and rec.level != current else ("none" if current != "none" else "yellow")
        self.level.setCurrentIndex(W.LEVELS.index(want))
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText(tr("reason (required)"))
        ev = QLabel(self)
        ev.setWordWrap(True)
        if rec is not None:
            lines = [tr("recommended: {level} ({basis}; {scheme})").format(
                level=level_name(rec.level), basis=basis or rec.basis, scheme=rec.scheme_version)]
            lines += [f"• {evidence_words(e)} AQI {', '.join(f'{a:.0f}' for a in e.aqi)}"
                      + (f" P {e.probabilities}" if e.probabilities else "") for e in rec.evidence]
            lines.append(tr("lifting rule: {why}").format(why=lift_words(rec)))
            ev.setText("\n".join(lines))
        form = QFormLayout(self)
        form.addRow(tr("In force"), QLabel(level_name(current)))
        form.addRow(tr("Level"), self.level)
        form.addRow(tr("Evidence"), ev)
        form.addRow(tr("Reason"), self.reason)
        buttons = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(buttons, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)


class WarningsPanel(QWidget):
    """Recommendations (from the core) and the warning decisions on them.

    With :meth:`set_both` the panel holds the forecast model's and persistence's recommendations; the operator
    chooses which one drives the "action" column and the decision dialog, and sees the other next to it.
    """

    decisionMade = Signal(str)
    basisChanged = Signal(str)

    COLUMNS = 7   # city, recommended, other basis, in force, action, evidence, scheme

    def __init__(self, store: Store, actor: Actor | None = None, clock: ConsoleClock | None = None,
                 city_names: dict[str, str] | None = None, parent: QWidget | None = None,
                 basis: str = DEFAULT_BASIS):
        super().__init__(parent)
        self.store, self.clock = store, clock
        self.names = city_names or {}
        self.recs: dict[str, W.Recommendation] = {}
        self.other: dict[str, W.Recommendation] | None = None
        self.both: BothBases | None = None
        self._given_basis = ""          # basis text of set_recommendations (a single, given basis)
        self.basis_label = QLabel(self)
        self.basis_box = QComboBox(self)
        self.basis_box.addItem("", MODEL)
        self.basis_box.addItem("", PERSISTENCE)
        self.basis_box.setCurrentIndex(0 if basis == MODEL else 1)
        self.basis_box.currentIndexChanged.connect(self._basis_box_changed)
        self.basis = QLabel(self)
        self.basis.setWordWrap(True)
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnHidden(2, True)
        self.pending = QTableWidget(0, 5, self)
        self.pending.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pending.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pending.horizontalHeader().setStretchLastSection(True)
        self.decide_btn = QPushButton(self)
        self.approve_btn = QPushButton(self)
        self.reject_btn = QPushButton(self)
        self.decide_btn.clicked.connect(self.decide_selected)
        self.approve_btn.clicked.connect(lambda: self.approve_selected(True))
        self.reject_btn.clicked.connect(lambda: self.approve_selected(False))
        self.role_label = QLabel(self)
        self.pending_label = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.basis_label)
        top.addWidget(self.basis_box, 1)
        row = QHBoxLayout()
        row.addWidget(self.role_label, 1)
        row.addWidget(self.decide_btn)
        row2 = QHBoxLayout()
        row2.addStretch(1)
        row2.addWidget(self.approve_btn)
        row2.addWidget(self.reject_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.basis)
        lay.addWidget(self.table, 2)
        lay.addLayout(row)
        lay.addWidget(self.pending_label)
        lay.addWidget(self.pending, 1)
        lay.addLayout(row2)
        self.set_actor(actor)
        self.retranslate()

    # ------------------------------------------------------------------ language
    def retranslate(self) -> None:
        """Texts in the current translation (called again on a language change)."""
        t = self.tr
        self.basis_label.setText(t("Recommend from:"))
        self.basis_box.setItemText(0, t("forecast model (D+1…D+3 outlook)"))
        self.basis_box.setItemText(1, t("observed AQI persisted (persistence)"))
        self.basis_box.setToolTip(t("Which forecast the recommended level, the action and the decision dialog use; "
                                    "the other one is shown next to it."))
        self.table.setHorizontalHeaderLabels([t("city"), t("recommended"), self._other_header(), t("in force"),
                                              t("action"), t("evidence"), t("scheme")])
        self.pending.setHorizontalHeaderLabels(["#", t("city"), t("level"), t("action"), t("proposed by / reason")])
        self.decide_btn.setText(t("Issue / change / lift…"))
        self.approve_btn.setText(t("Approve"))
        self.reject_btn.setText(t("Reject"))
        self.pending_label.setText(t("Pending approval"))
        self.set_actor(self.actor)
        if self.both is not None:
            self._apply_basis()
        else:
            self._show_basis_text()
            self.refresh()

    def _other_header(self) -> str:
        return self.tr("persistence") if self.basis_choice() == MODEL else self.tr("forecast model")

    # ------------------------------------------------------------------ actor and basis
    def set_actor(self, actor: Actor | None) -> None:
        """Who acts; propose needs operator/analyst/commander, approve needs commander."""
        self.actor = actor
        can_propose = actor is not None and actor.role in PERMISSIONS["warning.propose"]
        can_approve = actor is not None and actor.role in PERMISSIONS["warning.approve"]
        self.decide_btn.setEnabled(can_propose)
        self.approve_btn.setEnabled(can_approve)
        self.reject_btn.setEnabled(can_approve)
        self.role_label.setText(self.tr("not signed in") if actor is None else f"{actor.name} ({actor.role})"
                                + ("" if can_approve else self.tr(" — approval needs a commander")))

    def basis_choice(self) -> str:
        """``"model"`` or ``"persistence"``: the basis that drives the recommendation."""
        return self.basis_box.currentData()

    def set_basis(self, basis: str) -> None:
        self.basis_box.setCurrentIndex(0 if basis == MODEL else 1)

    def set_recommendations(self, recs: list[W.Recommendation], basis: str) -> None:
        """Show recommendations from one given basis (e.g. a forecast file); no comparison column."""
        self.both, self.other = None, None
        self.recs = {r.city: r for r in recs}
        self._given_basis = basis
        self.basis_box.setEnabled(False)
        self.table.setColumnHidden(2, True)
        self._show_basis_text()
        self.refresh()

    def set_both(self, both: BothBases) -> None:
        """Show the forecast model's and persistence's recommendations (``console.command.schemes.recommend_both``)."""
        self.both = both
        self.basis_box.setEnabled(True)
        self._apply_basis()

    @Slot(int)
    def _basis_box_changed(self, _index: int) -> None:
        self._apply_basis()
        self.basisChanged.emit(self.basis_choice())

    def _apply_basis(self) -> None:
        b = self.both
        if b is not None:
            chosen = b.model if self.basis_choice() == MODEL else b.persistence
            other = b.persistence if self.basis_choice() == MODEL else b.model
            self.recs = {r.city: r for r in chosen or []}
            self.other = {r.city: r for r in other} if other is not None else None
            self.table.setColumnHidden(2, False)
            self.table.horizontalHeaderItem(2).setText(self._other_header())
            self._show_basis_text()
            self.refresh()

    def _basis_text(self, which: str) -> str:
        b = self.both
        if which == MODEL:
            if b.model is None:
                return self.tr("forecast model unavailable: {why}").format(why=b.model_why_not)
            first, last = self._span(b.model)
            return self.tr("forecast model {model} (trained {start} … {end}), issued {issued}, daily AQI {first} "
                           "to {last}").format(model=b.model_id, start=b.model_trained[0], end=b.model_trained[1],
                                               issued=b.model_issued, first=first, last=last)
        if b.persistence is None:
            return self.tr("persistence unavailable: {why}").format(why=b.persistence_why_not)
        return self.tr("observed daily AQI of {day} repeated for {n} days (persistence, no forecast)").format(
            day=b.observed_day, n=b.days)

    @staticmethod
    def _span(recs: list[W.Recommendation]) -> tuple[str, str]:
        days = next((r.forecast_days for r in recs if r.forecast_days), [])
        return (days[0], days[-1]) if days else ("–", "–")

    def _show_basis_text(self) -> None:
        if self.both is None:
            self.basis.setText(self.tr("Basis: {basis}").format(basis=self._given_basis) if self._given_basis
                               else self.tr("no evaluation yet"))
            return
        chosen = self.basis_choice()
        other = PERSISTENCE if chosen == MODEL else MODEL
        self.basis.setText(self.tr("Basis: {basis}").format(basis=self._basis_text(chosen)) + "\n"
                           + self.tr("Compared with: {basis}").format(basis=self._basis_text(other)))

    # ------------------------------------------------------------------ tables
    @Slot()
    def refresh(self) -> None:
        active = decisions.active_warnings(self.store)
        cities = list(self.recs) or list(self.other or {}) or sorted(active)
        self.table.setRowCount(len(cities))
        bold = QFont()
        bold.setBold(True)
        for r, city in enumerate(cities):
            rec = self.recs.get(city)
            alt = (self.other or {}).get(city)
            cur = active.get(city, "none")
            lv = rec.level if rec else "none"
            ev = "; ".join(evidence_words(e) for e in (rec.evidence[:1] if rec else []))
            if rec and not ev:
                ev = self.tr("daily AQI {values}").format(
                    values=", ".join("-" if x is None else f"{x:.0f}" for x in rec.forecast_aqi))
            act = W.escalation(cur, lv) if rec is not None else ""
            words = action_words(act)
            if act == "lift":
                words += self.tr(" (rule met)") if rec.lift_allowed else self.tr(" (rule NOT met)")
            scheme = (rec.scheme_version + (" " + self.tr("UNCONFIRMED") if rec.unconfirmed else "")) if rec else ""
            vals = [self.names.get(city, city), level_name(lv) if rec else "–",
                    level_name(alt.level) if alt else "–", level_name(cur), words, ev, scheme]
            for c, v in enumerate(vals):
                item = QTableWidgetItem(v)
                key = {1: lv if rec else None, 2: alt.level if alt else None, 3: cur}.get(c)
                if key is not None:
                    item.setBackground(QBrush(QColor(COLOURS[key] if key != "none" else "#EEEEEE")))
                if c == 2 and alt is not None:
                    tip = self.tr("{basis}: daily AQI {values}").format(
                        basis=self._other_header(), values=", ".join("-" if x is None else f"{x:.0f}"
                                                                     for x in alt.forecast_aqi))
                    if rec is not None and alt.level != rec.level:
                        item.setFont(bold)   # the two bases disagree: worth a look
                        tip += "\n" + self.tr("The two bases disagree for this city.")
                    item.setToolTip(tip)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, city)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        pend = decisions.warnings_table(self.store, "pending")
        self.pending.setRowCount(len(pend))
        for r, row in enumerate(pend.itertuples()):
            level = level_name(row.level) if row.level in NAMES else row.level
            for c, v in enumerate([str(row.id), self.names.get(row.city, row.city), level, action_words(row.action),
                                   f"{row.proposed_by}: {row.reason}"]):
                item = QTableWidgetItem(v)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, int(row.id))
                self.pending.setItem(r, c, item)

    def selected_city(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].tableWidget().item(items[0].row(), 0).data(Qt.ItemDataRole.UserRole) if items else None

    # ------------------------------------------------------------------ decisions
    @Slot()
    def decide_selected(self, level: str | None = None, reason: str | None = None) -> int | None:
        """Open the decision dialog for the selected city (or decide directly when level and reason are given)."""
        city = self.selected_city()
        if city is None:
            return None
        rec = self.recs.get(city)
        if level is None:
            cur = decisions.active_warnings(self.store).get(city, "none")
            basis = self._basis_text(self.basis_choice()) if self.both is not None else self._given_basis
            dlg = IssueDialog(city, self.names.get(city, city), cur, rec, self, basis=basis)
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
