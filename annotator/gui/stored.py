"""Values read back from the window's settings file (QSettings), of the type they must have or None: the file is
plain text anyone may edit, and another version of annotator may have written a key with another type. A value
of the wrong type is as good as none; it never stops the window from starting."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings


def stored_bytes(settings: QSettings, key: str) -> bytes | None:
    """A value Qt saved as bytes (a window's geometry, its panels' layout)."""
    value = settings.value(key)
    if isinstance(value, QByteArray):
        return value.data()
    return bytes(value) if isinstance(value, (bytes, bytearray)) else None


def stored_int(settings: QSettings, key: str) -> int | None:
    """A whole number (an INI file gives it back as text)."""
    value = settings.value(key)
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None
