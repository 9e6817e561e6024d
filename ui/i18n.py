"""Chinese/English UI through Qt translation files (resources/i18n/lantian_<lang>.qm)."""
from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

LANGUAGES = ("zh", "en")
QT_LOCALES = {"zh": "zh_CN"}   # Qt's translation file names for our languages
_installed: list[QTranslator] = []
_current = ["en"]   # the language of the installed translation (English: none installed)


def system_language() -> str:
    """'zh' when the system locale is Chinese, else 'en'."""
    return "zh" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def resolve(choice: str | None) -> str:
    """'auto'/None → the system language; 'zh'/'en' as given."""
    return choice if choice in LANGUAGES else system_language()


def qm_path(language: str) -> str | None:
    """File path of the compiled translation for ``language`` (None for English, the source language)."""
    if language == "en":
        return None
    ref = resources.files("resources.i18n").joinpath(f"lantian_{language}.qm")
    if not ref.is_file():
        return None
    with resources.as_file(ref) as path:  # a real file in a checkout or a PyInstaller bundle
        return str(path)


def current() -> str:
    """The language the UI is shown in now ('zh' or 'en'), for words that come from data files (level names)."""
    return _current[0]


def install(language: str) -> bool:
    """Replace the installed translator with ``language``'s; True when a translation was loaded."""
    app = QCoreApplication.instance()
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    _current[0] = "en"
    path = qm_path(language)
    if not path:
        return False
    t = QTranslator(app)
    if not t.load(path):
        return False
    app.installTranslator(t)
    _installed.append(t)
    _current[0] = language
    qt = QTranslator(app)   # Qt's own words (OK, Cancel, file dialogs) when the Qt install has them
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{QT_LOCALES.get(language, language)}", qt_dir):
        app.installTranslator(qt)
        _installed.append(qt)
    return True
