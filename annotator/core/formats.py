"""The names of the formats the project reads and writes: here, free of any import, so that the command line
can offer them without loading the readers and writers (annotator.formats defines
them; a test checks that the lists agree)."""

IMPORT_FORMATS = ("text", "jsonl", "csv", "prodigy", "doccano", "label-studio", "brat", "conll", "spacy", "events")
EXPORT_FORMATS = ("prodigy", "doccano", "doccano-relations", "label-studio", "brat", "conll", "spacy", "events")
EFFORT_FORMAT = "effort"  # not annotations: where the work went, per article and editor (JSONL)
