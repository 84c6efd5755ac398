"""`kg schema apply|show`: constraints and indexes from the declared model, and the model itself."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kg.cli import state
from kg.cli.options import OutputOption
from kg.graph.ddl import apply_schema
from kg.model import load_schema
from kg.model.docs import model_json, model_markdown
from kg.model.grass import grass
from kg.report.output import DocumentFormat, ModelFormat, console, print_json, written_to

schema_app = typer.Typer(
    help="The graph schema, declared once in kg/model.\n\nExample: kg schema apply",
    no_args_is_help=True,
)


@schema_app.command("apply")
def apply(
    output: Annotated[DocumentFormat, typer.Option("--format")] = DocumentFormat.table,
) -> None:
    """Create the uniqueness constraints and indexes (safe to run again: it changes nothing)."""
    with state.connect() as graph:
        result = apply_schema(graph, load_schema())
    if output == DocumentFormat.json:
        print_json({"statements": result.statements, "created": result.created})
    else:
        console.print(
            f"Schema applied: {result.statements} constraints and indexes declared, "
            f"{result.created} created."
        )


@schema_app.command("show")
def show(
    output: Annotated[ModelFormat, typer.Option("--format")] = ModelFormat.table,
    browser_style: Annotated[
        bool, typer.Option("--grass", help="Print the Neo4j Browser style sheet instead.")
    ] = False,
    out_file: OutputOption = None,
) -> None:
    """Print the declared model: labels, keys, layers and relationship types.

    Example: kg schema show --format markdown > docs/model.md
    """
    schema = load_schema()
    with written_to(out_file):
        if browser_style:
            typer.echo(grass(schema), nl=False)
            return
        if output == ModelFormat.json:
            print_json(model_json(schema))
            return
        if output == ModelFormat.markdown:
            typer.echo(model_markdown(schema), nl=False)
            return
        nodes = Table("label", "key", "layer", "scope", "meaning", title="Nodes")
        for node in sorted(schema.nodes.values(), key=lambda n: (n.layer, n.label)):
            nodes.add_row(node.label, node.key, node.layer, node.scope, node.description)
        rels = Table("relationship", "layer", "meaning", title="Relationships")
        for rel in sorted(schema.rels.values(), key=lambda r: (r.type, r.source)):
            rels.add_row(
                f"({rel.source})-[:{rel.type}]->({rel.target})", rel.layer, rel.description
            )
        console.print(nodes)
        console.print(rels)


def register(app: typer.Typer) -> None:
    app.add_typer(schema_app, name="schema")
