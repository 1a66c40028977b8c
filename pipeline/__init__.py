"""claims: geopolitical analysis articles to structured, scored claim records."""

__version__ = "0.1.0"
