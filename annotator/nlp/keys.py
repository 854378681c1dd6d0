"""Where the pipeline's own components leave their results in a Doc's user_data (no spaCy needed to name them)."""

RULES_KEY = "annotator_rules"  # the rule matches: (start, end, label, pattern id) each
TOKENS_KEY = "annotator_tokens"  # the packed tokens, made once by the rule component
LINKS_KEY = "annotator_links"  # a model's links: (event start, end, label, argument start, end, label, role) each
