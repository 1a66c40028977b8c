"""Claim records for analysis: ``tables`` writes them as tidy tables (Parquet, CSV, DuckDB)
and a signed actor network (``claims export``); ``summary`` as terminal tables and figures
(``claims summary``)."""
