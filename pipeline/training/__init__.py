"""Learning from gold: gold folders as spaCy ``Example``s, scoring them, and ``claims train``."""
