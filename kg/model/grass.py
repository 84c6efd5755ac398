"""The Neo4j Browser style sheet (GRASS), generated from the schema.

Every kind of node (label) has its own colour, in a band of hues that tells its layer at a glance
(purples for the organization, blues for accounts, greens for the network, ambers for principals,
reds for resources, greys for the catalog; the kinds graph views draw most are picked by hand to
stand apart), and is captioned by the name people know rather than an ARN. Derived
relationships, the ones analysis writes (attack routes, access, coverage), are drawn thick and in
colour; collected ones thin and grey. Nodes an analysis marks as crown jewels
get a heavy red border over their kind's colour.

Browser applies every rule whose selector matches a node, in the sheet's order, so the mark's rule
comes last and only sets the border. Extra labels (Principal, Resource, ...) get no rule of their
own: the kind's label decides the colour.

Load it in Browser by dragging the file onto the Browser window (docs/browser.md).
"""

from __future__ import annotations

import colorsys

from kg.errors import SchemaError
from kg.model.schema import LAYERS, NodeSchema, Schema

# Hue bands in degrees, and saturation, per layer: a layer's kinds spread over its band.
LAYER_HUES: dict[str, tuple[float, float, float]] = {
    "organization": (255.0, 285.0, 0.55),
    "organizational_unit": (295.0, 315.0, 0.50),
    "account": (200.0, 235.0, 0.70),
    "network": (75.0, 185.0, 0.60),
    "principals": (28.0, 58.0, 0.85),
    "resources": (335.0, 375.0, 0.70),
    "reference": (200.0, 230.0, 0.08),
}
# Lightness cycles so that neighbours in a band differ in brightness as well as hue.
LIGHTNESS = (0.36, 0.50, 0.64)
# The kinds the graph views draw most, picked by hand to stand apart from each other (and near
# their layer's band); the internet and everyone ("*"), where attack paths start, are dark.
KIND_COLOURS = {
    "Internet": "#1b1f24",
    "AnyPrincipal": "#57606a",
    "Account": "#0969da",
    "Role": "#d4a72c",
    "User": "#fb8f44",
    "Group": "#9a6700",
    "RootUser": "#bc4c00",
    "ServicePrincipal": "#f5e0a3",
    "FederatedProvider": "#7d4e00",
    "S3Bucket": "#cf222e",
    "KmsKey": "#bf3989",
    "Secret": "#82071e",
    "LambdaFunction": "#ff8182",
    "Ec2Instance": "#2da44e",
    "NetworkInterface": "#8ddb8c",
    "LoadBalancer": "#116329",
    "Control": "#8c959f",
    "Layer": "#424a53",
}
# Derived relationship types, in the order of their names.
DERIVED_COLOURS = (
    "#cf222e",
    "#0969da",
    "#bf3989",
    "#e16f24",
    "#a475f9",
    "#1a7f37",
    "#9a6700",
    "#8250df",
    "#bc4c00",
    "#0550ae",
    "#d1242f",
    "#116329",
)
COLLECTED_COLOUR = "#a5abb6"
COLLECTED_WIDTH = "1px"
DERIVED_WIDTH = "3px"
# Browser wraps a caption at spaces only and cuts a word wider than the circle: at 7px a name of
# about 28 characters (an account alias, a bucket or role name) is 100px wide.
NODE_DIAMETER = "105px"
NODE_FONT_SIZE = "7px"
CAPTION_CHARACTERS = 28
MARK_BORDER = ("#d1242f", "6px")


def _hex(red: float, green: float, blue: float) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in (red, green, blue))


def _text_colour(fill: str) -> str:
    """Black on a light fill, white on a dark one (relative luminance, sRGB)."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if luminance > 0.179 else "#ffffff"


def node_colours(schema: Schema) -> dict[str, str]:
    """A colour for every node label of the schema, distinct from every other label's."""
    colours = {label: fill for label, fill in KIND_COLOURS.items() if label in schema.nodes}
    for layer in LAYERS:
        kinds = sorted(n.label for n in schema.nodes.values() if n.layer == layer)
        kinds = [label for label in kinds if label not in colours]
        start, end, saturation = LAYER_HUES[layer]
        for index, label in enumerate(kinds):
            hue = start + (end - start) * index / max(len(kinds) - 1, 1)
            lightness = LIGHTNESS[index % len(LIGHTNESS)]
            rgb = colorsys.hls_to_rgb((hue % 360) / 360, lightness, saturation)
            colours[label] = _hex(*rgb)
    return colours


def caption(node: NodeSchema) -> str:
    """The caption template: the node's name, then a detail for kinds whose name can be missing."""
    parts = [node.caption, *([node.caption_detail] if node.caption_detail else [])]
    return " ".join(f"{{{part}}}" for part in parts)


def derived_rel_types(schema: Schema) -> list[str]:
    """Relationship types the analysis writes (scope "derived"), sorted."""
    return sorted({rel.type for rel in schema.rels.values() if rel.scope == "derived"})


def rel_styles(schema: Schema) -> dict[str, tuple[str, str]]:
    """Colour and shaft width of every derived relationship type; collected ones keep the
    default rule (thin and grey)."""
    derived = derived_rel_types(schema)
    if len(derived) > len(DERIVED_COLOURS):
        raise SchemaError(
            f"{len(derived)} derived relationship types but {len(DERIVED_COLOURS)} colours "
            "for them in kg.model.grass.DERIVED_COLOURS"
        )
    return {rel: (DERIVED_COLOURS[i], DERIVED_WIDTH) for i, rel in enumerate(derived)}


def grass(schema: Schema) -> str:
    blocks = [
        f"node {{\n  diameter: {NODE_DIAMETER};\n  color: #A5ABB6;\n  border-color: #9AA1AC;\n"
        "  border-width: 2px;\n  text-color-internal: #FFFFFF;\n"
        f"  font-size: {NODE_FONT_SIZE};\n}}",
        f"relationship {{\n  color: {COLLECTED_COLOUR};\n  shaft-width: {COLLECTED_WIDTH};\n"
        "  font-size: 8px;\n  padding: 3px;\n  text-color-external: #000000;\n"
        "  text-color-internal: #FFFFFF;\n  caption: '<type>';\n}",
    ]
    colours = node_colours(schema)
    for node in sorted(schema.nodes.values(), key=lambda n: n.label):
        fill = colours[node.label]
        blocks.append(
            f"node.{node.label} {{\n  color: {fill};\n  border-color: {fill};\n"
            f"  text-color-internal: {_text_colour(fill)};\n  caption: '{caption(node)}';\n}}"
        )
    for rel_type, (colour, width) in rel_styles(schema).items():
        blocks.append(
            f"relationship.{rel_type} {{\n  color: {colour};\n  shaft-width: {width};\n"
            f"  text-color-external: {colour};\n}}"
        )
    border, border_width = MARK_BORDER
    for mark in sorted(schema.marks):
        blocks.append(
            f"node.{mark} {{\n  border-color: {border};\n  border-width: {border_width};\n}}"
        )
    return "\n\n".join(blocks) + "\n"
