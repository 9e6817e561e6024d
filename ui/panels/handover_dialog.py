"""Shift handover dialog: the note built from open items; the outgoing operator creates it, the incoming
operator signs it with name and password."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QPushButton, QVBoxLayout)

from console.command import handover
from console.command.mode import ConsoleClock
from console.command.observed import store_city_names
from console.command.users import Actor, authenticate
from console.errors import LantianError
from console.store.db import Store
from ui import i18n


class HandoverDialog(QDialog):
    """Create a handover note (outgoing) and sign it (incoming)."""

    def __init__(self, store: Store, outgoing: Actor, clock: ConsoleClock | None = None,
                 episodes: list[dict] | None = None, parent=None):
        super().__init__(parent)
        self.store, self.outgoing, self.clock = store, outgoing, clock
        self.episodes = episodes if episodes is not None else handover.ongoing_episodes(store)
        self.setWindowTitle(self.tr("Shift handover"))
        self.handover_id: int | None = None
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText(self.tr("note for the incoming shift"))
        self.note.setMaximumHeight(80)
        self.create_btn = QPushButton(self.tr("Create note"), self)
        self.create_btn.clicked.connect(self.create_note)
        self.user = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sign_btn = QPushButton(self.tr("Sign as incoming"), self)
        self.sign_btn.setEnabled(False)
        self.sign_btn.clicked.connect(self.sign)
        self.status = QLabel(self.tr("outgoing: {name} ({role})").format(name=outgoing.name, role=outgoing.role), self)
        form = QFormLayout()
        form.addRow(self.tr("Incoming user"), self.user)
        form.addRow(self.tr("Password"), self.password)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.note)
        row = QHBoxLayout()
        row.addWidget(self.create_btn)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addLayout(form)
        lay.addWidget(self.sign_btn)
        self.resize(640, 560)
        self.refresh_preview()

    def refresh_preview(self) -> None:
        items = handover.collect(self.store, self.episodes)
        self.preview.setPlainText(handover.render(items, self.note.toPlainText(), lang=i18n.current(),
                                                  names=store_city_names(self.store)))

    def create_note(self) -> int | None:
        try:
            self.handover_id = handover.create(self.store, self.outgoing, self.note.toPlainText(), self.episodes,
                                               clock=self.clock)
        except LantianError as exc:
            return self._error(str(exc))
        self.refresh_preview()
        self.status.setText(self.tr("handover #{id} created by {name}; waiting for the incoming signature").format(
            id=self.handover_id, name=self.outgoing.name))
        self.create_btn.setEnabled(False)
        self.sign_btn.setEnabled(True)
        return self.handover_id

    def sign(self) -> bool:
        try:
            incoming = authenticate(self.store, self.user.text().strip(), self.password.text())
            handover.sign(self.store, incoming, self.handover_id, "handover accepted", clock=self.clock)
        except LantianError as exc:
            self._error(str(exc))
            return False
        self.status.setText(self.tr("handover #{id} signed by {name}; open items carry over").format(
            id=self.handover_id, name=incoming.name))
        self.sign_btn.setEnabled(False)
        self.password.clear()
        return True

    def _error(self, text: str):
        self.last_error = text
        self.status.setText(self.tr("error: {text}").format(text=text))
        if self.isVisible():
            QMessageBox.warning(self, "Lantian", text)
        return None
