"""Every component is registered as a spacy_factories entry point of the package."""

from __future__ import annotations

from importlib.metadata import entry_points

from pipeline.nlp import COMPONENTS


def test_entry_points_register_every_component():
    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert {factory for factory, _, _ in COMPONENTS} <= names


def test_entry_points_load_factories_spacy_can_call():
    eps = {ep.name: ep for ep in entry_points(group="spacy_factories")}
    assert callable(eps["claims_names"].load())
