"""spaCy: building and loading pipelines, pre-annotation. spaCy itself is imported only when needed."""

from annotator.nlp.pipeline import Annotator, build_annotator, merge_suggestions, tokenize

__all__ = ["Annotator", "build_annotator", "merge_suggestions", "tokenize"]
