"""Evaluation: predicted claims against a gold set.

``gold`` loads and validates a gold folder; ``scoring`` matches claims and computes the
metrics (``claims evaluate``); ``quality`` scores the pipeline on the seed gold and the dev
split beside the annotators' agreement (``bench/quality.md``); ``render`` prints the
terminal tables.
"""
