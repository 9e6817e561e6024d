"""Lantian Qt desktop console (PySide6 + pyqtgraph): views and controllers only.

Importing this package does not import Qt; the modules that need Qt import it themselves.
"""
