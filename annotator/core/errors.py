"""Every error the project raises on purpose. User mistakes are reported with these, never with a traceback."""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base class of the project's own errors: the message is meant for the user."""


class InputError(AnnotatorError):
    """A record of an input file that cannot be used. Names the file, the line (or record) and the reason."""

    def __init__(self, reason: str, path: str | None = None, line: int | None = None) -> None:
        self.reason = reason
        self.path = path
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        return where + self.reason

    def at(self, path: str | None = None, line: int | None = None) -> InputError:
        """The same error with the place filled in where it was missing."""
        return InputError(self.reason, path if self.path is None else self.path,
                          line if self.line is None else self.line)


class SchemeError(AnnotatorError):
    """A label scheme file that cannot be read or is inconsistent."""


class DatabaseError(AnnotatorError):
    """A project database that cannot be opened or used."""


class NewerDatabaseError(DatabaseError):
    """The database was written by a newer version of annotator."""


class NotAProjectError(DatabaseError):
    """The file is not an annotator project database."""


class UnavailableError(DatabaseError):
    """The database cannot be read or written now (damaged, read-only, busy, gone, disk full): nothing the
    editor does can be saved until that is mended."""


class DamagedDatabaseError(UnavailableError):
    """The database file is corrupt (SQLite reports a malformed image)."""


class ReadOnlyDatabaseError(UnavailableError):
    """The database (or its folder) cannot be written by this user."""


class EditError(AnnotatorError):
    """An edit the editor asked for that cannot be made (a selection that holds no word)."""


class LinkError(AnnotatorError):
    """A link the label scheme does not allow (a role the event does not have, a label that may not fill it),
    or one between spans that cannot be linked."""


class PipelineError(AnnotatorError):
    """A spaCy pipeline or pattern file that cannot be loaded."""


class ExportError(AnnotatorError):
    """An export that cannot be written."""


class ConflictError(AnnotatorError):
    """The document was changed elsewhere since it was read."""


class MissingExtraError(AnnotatorError):
    """An optional part of annotator (an extra such as `annotator[ray]`) is not installed."""
