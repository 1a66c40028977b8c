"""Corpus runs: documents in, records out.

``inputs`` reads the inputs of a run lazily (text files, folders, JSONL files), on
``documents`` (bytes to text, sha256, doc_id); ``runner`` processes them in batches on one
pipeline (chunking, focal pair, error handler, worker pools); ``runs`` streams them through
the local or the Dask engine (``distributed``) into ``sink`` (stdout, or an output file that
survives interruption and resumes).
"""
