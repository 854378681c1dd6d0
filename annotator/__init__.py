"""annotator: build labelled datasets of news events with spaCy suggestions and human corrections."""

__version__ = "0.1.0"
