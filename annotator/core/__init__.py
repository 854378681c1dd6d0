"""Plain-Python data model: no Qt, no spaCy, no SQLite."""

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.labels import Label, LabelScheme, load_scheme
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState, Token

__all__ = [
    "AnnotatorError", "InputError", "Label", "LabelScheme", "load_scheme", "Answer", "Document",
    "Record", "Source", "Span", "SpanState", "Token",
]
