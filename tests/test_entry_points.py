"""Every component is registered as a spacy_factories entry point of the package."""

from __future__ import annotations

from importlib.metadata import entry_points


def claims_factories() -> set[str]:
    """Every factory the package registers, and every one the default config uses."""
    import spacy

    import pipeline.components  # noqa: F401  (registers the factories)
    from pipeline.nlp import load_config

    registered = {name for name in spacy.registry.factories.get_all() if "claims_" in name}
    registered = {name.rsplit(".", 1)[-1] for name in registered}
    components = load_config()["components"].values()
    return registered | {spec["factory"] for spec in components if "factory" in spec}


def test_entry_points_register_every_component():
    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert claims_factories() <= names


def test_entry_points_load_factories_spacy_can_call():
    eps = {ep.name: ep for ep in entry_points(group="spacy_factories")}
    assert callable(eps["claims_names"].load())
