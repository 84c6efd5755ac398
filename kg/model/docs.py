"""The model documentation generated from the schema declaration (docs/model.md, kg schema)."""

from __future__ import annotations

from kg.model.schema import MarkSchema, Schema

LAYER_TITLES = {
    "organization": "Organization",
    "organizational_unit": "Organizational unit",
    "account": "Account",
    "network": "Network",
    "principals": "Principals",
    "resources": "Resources",
    "reference": "Reference knowledge",
}


def sorted_marks(schema: Schema) -> list[MarkSchema]:
    return sorted(schema.marks.values(), key=lambda m: m.label)


def mermaid(schema: Schema) -> str:
    """A Mermaid flowchart of labels (grouped by layer) and relationship types."""
    lines = ["flowchart LR"]
    for layer, title in LAYER_TITLES.items():
        labels = sorted(n.label for n in schema.nodes.values() if n.layer == layer)
        if not labels:
            continue
        lines.append(f'  subgraph {layer}["{title}"]')
        lines.extend(f"    {label}" for label in labels)
        lines.append("  end")
    seen = set()
    for rel in sorted(schema.rels.values(), key=lambda r: (r.source, r.type, r.target)):
        edge = (rel.source, rel.type, rel.target)
        if edge in seen:
            continue
        seen.add(edge)
        lines.append(f"  {rel.source} -->|{rel.type}| {rel.target}")
    return "\n".join(lines)


def model_markdown(schema: Schema) -> str:
    out = [
        "# The graph model",
        "",
        "Generated from the schema declaration in `kg/model/` by `kg schema show --format "
        "markdown`; do not edit by hand.",
        "",
        "```mermaid",
        mermaid(schema),
        "```",
        "",
        "Every AWS node has a unique key (its ARN where AWS has one), `first_seen` and "
        "`last_updated`; account-scoped nodes and relationships carry `account_id` and are "
        "replaced account by account when a newer snapshot is loaded.",
        "",
        "## Nodes",
        "",
    ]
    for layer, title in LAYER_TITLES.items():
        nodes = sorted(
            (n for n in schema.nodes.values() if n.layer == layer), key=lambda n: n.label
        )
        if not nodes:
            continue
        out += [
            f"### {title}",
            "",
            "| label | key | scope | meaning | properties |",
            "|---|---|---|---|---|",
        ]
        for node in nodes:
            labels = ":".join((node.label, *node.extra_labels))
            props = "<br>".join(f"`{k}`: {v}" for k, v in node.properties.items())
            out.append(
                f"| `{labels}` | `{node.key}` | {node.scope} | {node.description} | {props} |"
            )
        out.append("")
    if schema.marks:
        out += [
            "## Marks",
            "",
            "Labels an analysis adds to nodes of the labels above, and takes off on its next run.",
            "",
            "| label | meaning |",
            "|---|---|",
        ]
        out += [f"| `{m.label}` | {m.description} |" for m in sorted_marks(schema)]
        out.append("")
    out += [
        "## Relationships",
        "",
        "| relationship | layer | scope | meaning | properties |",
        "|---|---|---|---|---|",
    ]
    for rel in sorted(schema.rels.values(), key=lambda r: (r.type, r.source, r.target)):
        props = "<br>".join(f"`{k}`: {v}" for k, v in rel.properties.items())
        out.append(
            f"| `({rel.source})-[:{rel.type}]->({rel.target})` | {rel.layer} | {rel.scope} | "
            f"{rel.description} | {props} |"
        )
    out.append("")
    return "\n".join(out)


def model_json(schema: Schema) -> dict[str, object]:
    return {
        "nodes": [
            {
                "label": n.label,
                "extra_labels": list(n.extra_labels),
                "key": n.key,
                "layer": n.layer,
                "scope": n.scope,
                "description": n.description,
                "properties": n.properties,
            }
            for n in sorted(schema.nodes.values(), key=lambda n: n.label)
        ],
        "marks": [{"label": m.label, "description": m.description} for m in sorted_marks(schema)],
        "relationships": [
            {
                "type": r.type,
                "source": r.source,
                "target": r.target,
                "layer": r.layer,
                "scope": r.scope,
                "description": r.description,
                "properties": r.properties,
            }
            for r in sorted(schema.rels.values(), key=lambda r: (r.type, r.source, r.target))
        ],
    }
