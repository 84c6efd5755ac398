"""The Neo4j Browser style sheet generated from the schema."""

from __future__ import annotations

import re

from kg.model import load_schema
from kg.model.grass import (
    CAPTION_CHARACTERS,
    KIND_COLOURS,
    NODE_DIAMETER,
    NODE_FONT_SIZE,
    grass,
)
from kg.model.schema import Schema

_BLOCK = re.compile(r"^(\S+) \{\n(.*?)\n\}", re.MULTILINE | re.DOTALL)


def _rules(sheet: str) -> list[tuple[str, dict[str, str]]]:
    """The sheet's rules in order: selector and properties."""
    rules = []
    for selector, body in _BLOCK.findall(sheet):
        props = dict(line.strip().rstrip(";").split(": ", 1) for line in body.splitlines())
        rules.append((selector, props))
    return rules


def _schema_and_rules() -> tuple[Schema, dict[str, dict[str, str]]]:
    schema = load_schema()
    rules = _rules(grass(schema))
    selectors = [selector for selector, _ in rules]
    assert len(selectors) == len(set(selectors)), "a selector has two rules"
    return schema, dict(rules)


def test_every_kind_of_node_has_its_own_colour() -> None:
    schema, rules = _schema_and_rules()
    colours = {label: rules[f"node.{label}"]["color"] for label in schema.nodes}
    assert len(set(colours.values())) == len(colours)
    assert rules["node"]["color"].lower() not in {c.lower() for c in colours.values()}
    # A colour picked by hand names a kind that exists (a renamed label would lose it silently).
    assert set(KIND_COLOURS) <= set(schema.nodes)


def test_nodes_are_captioned_by_declared_names_not_arns() -> None:
    schema, rules = _schema_and_rules()
    for node in schema.nodes.values():
        template = rules[f"node.{node.label}"]["caption"].strip("'")
        shown = re.findall(r"\{([a-z_]+)\}", template)
        assert shown and shown[0] == node.caption, node.label
        for prop in shown:
            assert prop == node.key or prop in node.properties, f"{node.label}.{prop}"
        assert "arn" not in shown, f"{node.label} is captioned by its ARN"
    # An external account has an id but no name: its caption still says which account it is.
    assert rules["node.Account"]["caption"] == "'{name} {account_id}'"


def test_derived_relationships_are_drawn_apart_from_collected_ones() -> None:
    schema, rules = _schema_and_rules()
    collected = rules["relationship"]
    derived = sorted({rel.type for rel in schema.rels.values() if rel.scope == "derived"})
    assert {"CAN_REACH", "CAN_ASSUME", "CAN_ESCALATE_TO", "CAN_ACCESS", "RUNS_AS"} <= set(derived)
    colours = set()
    for rel_type in derived:
        style = rules[f"relationship.{rel_type}"]
        assert style["color"] != collected["color"]
        assert int(style["shaft-width"].removesuffix("px")) > int(
            collected["shaft-width"].removesuffix("px")
        )
        colours.add(style["color"])
    assert len(colours) == len(derived), "two derived types share a colour"
    collected_types = {rel.type for rel in schema.rels.values()} - set(derived)
    assert collected_types and not any(f"relationship.{t}" in rules for t in collected_types)


def test_a_mark_only_adds_a_border_after_the_kinds() -> None:
    """Browser merges the rules a node matches in order: a crown jewel keeps its kind's colour."""
    schema = load_schema()
    rules = _rules(grass(schema))
    selectors = [selector for selector, _ in rules]
    for mark in schema.marks:
        position = selectors.index(f"node.{mark}")
        later = [s for s in selectors[position + 1 :] if s.startswith("node.")]
        assert all(s.removeprefix("node.") in schema.marks for s in later)
        assert set(rules[position][1]) == {"border-color", "border-width"}


def test_a_name_of_the_usual_length_fits_its_circle() -> None:
    """Browser cuts a word wider than the circle; sans-serif averages about half an em a
    character (measured in Browser: 'OrganizationAccountAccessRole', 29, is 102px at 7px)."""
    diameter = float(NODE_DIAMETER.removesuffix("px"))
    font = float(NODE_FONT_SIZE.removesuffix("px"))
    assert CAPTION_CHARACTERS * 0.5 * font + 4 <= diameter
