"""``python -m pipeline.gazetteer``: rewrite gazetteer.msgpack from gazetteer.json (what
``make gazetteer`` does after regenerating the JSON; this needs no ../shared)."""

from .store import write

if __name__ == "__main__":
    print(f"wrote {write()}")
