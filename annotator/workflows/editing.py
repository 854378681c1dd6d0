"""The article session (annotator.core.session), under the name the command line, the window and the tests
have used: `EditSession`. Edits are commands in annotator.core.edits."""

from annotator.core.errors import ConflictError
from annotator.core.session import ArticleSession, Change

EditSession = ArticleSession

__all__ = ["ArticleSession", "Change", "ConflictError", "EditSession"]
