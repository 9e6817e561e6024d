"""Sign in / switch user: choose a user of the store and give the password (``console.command.users``).

When the store has no users yet nothing is created silently: the dialog offers to create the first
commander (name + password twice), who can then add others (``lantian users add``).
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.command.users import Actor, add_user, authenticate, list_users
from console.errors import LantianError


class SignInDialog(QDialog):
    """Modal sign-in; ``actor`` holds the signed-in :class:`Actor` after ``accept``."""

    def __init__(self, store, last_user: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.actor: Actor | None = None
        self.last_error = ""
        self.users = [(n, r) for n, r, active in list_users(store) if active]
        self.first_run = not self.users
        self.setWindowTitle(self.tr("Sign in") if not self.first_run else self.tr("Create the first commander"))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.user_box = QComboBox(self)
        self.name_edit = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit(self)
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        if self.first_run:
            intro = QLabel(self.tr("This database has no users yet. Create the first user — a commander, who "
                                   "may approve warnings. More users: lantian users add NAME --role operator|"
                                   "analyst|commander."), self)
            intro.setWordWrap(True)
            lay.addWidget(intro)
            form.addRow(self.tr("Name"), self.name_edit)
            form.addRow(self.tr("Password"), self.password)
            form.addRow(self.tr("Repeat password"), self.password2)
            self.user_box.hide()  # not used when creating the first user
        else:
            for name, role in self.users:
                self.user_box.addItem(f"{name} ({role})", name)
            if last_user:
                self.user_box.setCurrentIndex(max(0, self.user_box.findData(last_user)))
            form.addRow(self.tr("User"), self.user_box)
            form.addRow(self.tr("Password"), self.password)
            self.name_edit.hide()  # only for the first commander
            self.password2.hide()
        lay.addLayout(form)
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #B71C1C;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        bb.accepted.connect(self._ok)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.password.setFocus()

    def _ok(self) -> None:
        if self.first_run:
            ok = self.create_commander(self.name_edit.text(), self.password.text(), self.password2.text())
        else:
            ok = self.sign_in(self.user_box.currentData(), self.password.text())
        if ok:
            self.accept()

    def sign_in(self, name: str, password: str) -> Actor | None:
        """Check the password (core: ``authenticate``); the actor or None with a readable error shown."""
        try:
            self.actor = authenticate(self.store, name or "", password)
        except LantianError as exc:
            return self._fail(str(exc))
        return self.actor

    def create_commander(self, name: str, password: str, repeat: str) -> Actor | None:
        """Create the first user (role commander) — only offered when the store has no users."""
        if password != repeat:
            return self._fail(self.tr("The passwords differ."))
        try:
            self.actor = add_user(self.store, name.strip(), "commander", password)
        except LantianError as exc:
            return self._fail(str(exc))
        return self.actor

    def _fail(self, text: str) -> None:
        self.last_error = text
        self.error.setText(text)
        self.password.clear()
        self.password2.clear()
