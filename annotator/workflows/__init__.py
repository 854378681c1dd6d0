"""The operations the command line and the window share: import, pre-annotate, export."""
