"""The Neo4j Browser style sheet (GRASS), generated from the schema: one colour per layer.

Load it in Browser with `:style` and drag the file in, or paste the text (docs/browser.md).
"""

from __future__ import annotations

from kg.model.schema import Schema

LAYER_COLOURS = {
    "organization": ("#6f42c1", "#ffffff"),
    "organizational_unit": ("#9b6fd6", "#ffffff"),
    "account": ("#1f6feb", "#ffffff"),
    "network": ("#2da44e", "#ffffff"),
    "principals": ("#d4a72c", "#000000"),
    "resources": ("#cf222e", "#ffffff"),
    "reference": ("#8c959f", "#000000"),
}


def grass(schema: Schema) -> str:
    blocks = [
        "node {\n  diameter: 50px;\n  color: #A5ABB6;\n  border-color: #9AA1AC;\n"
        "  border-width: 2px;\n  text-color-internal: #FFFFFF;\n  font-size: 10px;\n}",
        "relationship {\n  color: #A5ABB6;\n  shaft-width: 1px;\n  font-size: 8px;\n"
        "  padding: 3px;\n  text-color-external: #000000;\n  text-color-internal: #FFFFFF;\n"
        "  caption: '<type>';\n}",
    ]
    for node in sorted(schema.nodes.values(), key=lambda n: n.label):
        fill, text = LAYER_COLOURS[node.layer]
        blocks.append(
            f"node.{node.label} {{\n  color: {fill};\n  border-color: {fill};\n"
            f"  text-color-internal: {text};\n  caption: '{{{node.caption}}}';\n}}"
        )
    return "\n\n".join(blocks) + "\n"
