"""Build-time tools (``make gazetteer``; need ../shared), never imported by the runtime:
``gazetteer`` regenerates ``pipeline/gazetteer/gazetteer.json`` and its binary form from the
data packages, ``curated.toml`` and the PETRARCH2 dictionaries (read by ``petrarch``);
``cameo`` writes ``pipeline/components/cameo_verbs.json`` and ``offices``
``pipeline/components/office_holders.json``. Run each with ``python -m pipeline.tools.NAME``.
"""
