"""The query library: the named .cypher files shipped in the `queries` package.

The CLI's views and Neo4j Browser users run the same text, so an answer on the command line can
always be reproduced, and questioned, in Browser.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, LiteralString, cast

from kg.analysis.names import closest
from kg.errors import ConfigError, KgError, UnknownNameError
from kg.graph.driver import Graph

_HEADER = re.compile(r"^//\s*([a-z_]+):\s*(.*)$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
REQUIRED_HEADERS = ("name", "title", "description")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    cypher: str
    layer: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Declared defaults overridden by the caller; undeclared names are an error."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            declared = ", ".join(sorted(self.params)) or "none"
            raise ConfigError(
                f"query {self.name} has no parameter {', '.join(unknown)} (declared: {declared})"
            )
        return {**self.params, **given}


def _parse_default(text: str) -> Any:
    text = text.strip()
    if text in ("null", ""):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    return text.strip("'\"")


def parse_query(file_name: str, text: str) -> NamedQuery:
    headers: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match and not body:
            headers[match.group(1)] = match.group(2).strip()
        elif line.strip() or body:
            body.append(line)
    missing = [h for h in REQUIRED_HEADERS if h not in headers]
    if missing:
        raise KgError(f"queries/{file_name}: header lacks {', '.join(missing)}")
    params: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in headers.get("params", "").split(","))):
        name, _, default = item.partition("=")
        params[name.strip()] = _parse_default(default)
    cypher = "\n".join(body).strip()
    used = set(_PARAM.findall(cypher))
    if used != set(params):
        raise KgError(
            f"queries/{file_name}: parameters used {sorted(used)} differ from the header's "
            f"{sorted(params)}"
        )
    return NamedQuery(
        name=headers["name"],
        title=headers["title"],
        description=headers["description"],
        cypher=cypher,
        layer=headers.get("layer", ""),
        params=params,
    )


@cache
def library() -> dict[str, NamedQuery]:
    found: dict[str, NamedQuery] = {}
    for entry in sorted(resources.files("queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            query = parse_query(entry.name, entry.read_text(encoding="utf-8"))
            found[query.name] = query
    return found


def get(name: str) -> NamedQuery:
    try:
        return library()[name]
    except KeyError:
        raise UnknownNameError(
            f"query {name!r} is not in the library (see `kg query --list`)",
            closest(name, library()),
        ) from None


def run(graph: Graph, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run a named query in a read transaction."""
    query = get(name)
    return graph.read(cast(LiteralString, query.cypher), **query.bind(params))


def library_markdown() -> str:
    """docs/queries.md: every named query with what it answers and its Cypher."""
    out = [
        "# The query library",
        "",
        "Generated from the headers of `queries/*.cypher` by `kg query --docs`; do not edit.",
        "Run any of them with `kg query NAME [-p name=value]`, or paste the Cypher into Neo4j",
        "Browser after setting its parameters with `:param name => 'value'`.",
        "",
    ]
    for query in sorted(library().values(), key=lambda q: (q.layer, q.name)):
        params = ", ".join(f"`{k}`" for k in query.params) or "none"
        out += [
            f"## {query.title}",
            "",
            f"`kg query {query.name}` (layer: {query.layer or 'any'}; parameters: {params})",
            "",
            query.description,
            "",
            "```cypher",
            query.cypher,
            "```",
            "",
        ]
    return "\n".join(out)


BROWSER_PREFIX = "browser-"
# Browser files a favorite from a zip under the folder its path names.
FAVORITE_FOLDERS = {True: "kg graph views", False: "kg tables"}
# A fixed date and no compression: the same library always makes the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def favorite_text(query: NamedQuery) -> str:
    """A query as a Browser favorite: Browser names a favorite by its first comment line."""
    lines = [f"// {query.title}", f"// kg query {query.name}"]
    if query.params:
        settings = "; ".join(f":param {k} => {_param_value(v)}" for k, v in query.params.items())
        lines.append(f"// Set first: {settings}")
    return "\n".join([*lines, query.cypher, ""])


def favorites_zip() -> bytes:
    """docs/browser/kg-favorites.zip: the whole library, one .cypher file per query. Dropped on
    Browser's window, it becomes favorites in two folders (graph views, tables)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, query in sorted(library().items()):
            folder = FAVORITE_FOLDERS[name.startswith(BROWSER_PREFIX)]
            entry = zipfile.ZipInfo(f"{folder}/{name}.cypher", date_time=_ZIP_DATE)
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, favorite_text(query))
    return buffer.getvalue()


def _param_value(value: Any) -> str:
    """A header default as Browser's `:param` reads it (a Cypher literal)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def browser_markdown() -> str:
    """docs/browser.md: how to reach Neo4j Browser, apply the style, and run the library there."""
    graph_view = [q for name, q in sorted(library().items()) if name.startswith(BROWSER_PREFIX)]
    tables = [q for name, q in sorted(library().items()) if not name.startswith(BROWSER_PREFIX)]
    out = [
        "# Exploring the graph in Neo4j Browser",
        "",
        "Generated by `kg query --browser-docs` (make docs) from the query library; do not edit.",
        "",
        "## Connect",
        "",
        "`kg neo4j status` prints where the local server listens: its Bolt address and the Browser",
        "URL (`kg neo4j start` and `kg demo` print them too). The ports come from the",
        "configuration: Bolt from `NEO4J_URI`, HTTP from `KG_NEO4J_HTTP_PORT`. Open the Browser",
        "URL and connect as user `neo4j` with your `NEO4J_PASSWORD` (default `kg-local-password`).",
        "The server kg starts advertises the Bolt address it listens on, so the connect form",
        "offers it; so does the Docker one, which `kg neo4j start` publishes on the same ports.",
        "",
        "## The style sheet",
        "",
        "[browser/kg.grass](browser/kg.grass) is generated from the schema",
        "(`kg schema show --grass`). Every kind of node has its own colour, in a band of hues that",
        "tells its layer (purples for the organization, blues for accounts, greens for the",
        "network, ambers for principals, reds for resources, greys for the control catalog);",
        "the internet and everyone (`*`) are dark. Nodes are captioned by the names people know",
        "(role and bucket names; accounts by name and id, as an external one has no name), never",
        "by ARN.",
        "Browser shortens a caption that does not fit its circle: click the node to read it all.",
        "Relationships the analysis derives (attack routes such as CAN_REACH, RUNS_AS, CAN_ASSUME,",
        "CAN_ESCALATE_TO and CAN_ACCESS, and HAS_COVERAGE) are thick and coloured, one colour per",
        "type; collected ones are thin and grey. Crown jewels have a heavy red border.",
        "",
        "Apply it: drag `docs/browser/kg.grass` onto the Browser window; Browser keeps it for",
        "later sessions. `:style` shows the style in use, `:style reset` goes back to Browser's.",
        "",
        "## Queries that draw a graph",
        "",
        "These return paths, or nodes and relationships, so Browser draws them. Each is bounded",
        "(LIMIT, hop bounds) to stay readable and fast on a large organization.",
        "`kg query NAME --show` prints a query's text.",
        "",
        "Keep the whole library at hand: drag",
        "[browser/kg-favorites.zip](browser/kg-favorites.zip) onto the Browser window and",
        "every query becomes a favorite (sidebar, star icon), in two folders: kg graph views and",
        "kg tables. Each favorite's comments say which parameters to set first. One query file",
        "dropped on the window (`queries/NAME.cypher`) offers to save it to favorites as well.",
        "",
    ]
    for query in graph_view:
        out += [f"### {query.title}", "", f"`{query.name}`: {query.description}", ""]
        if query.params:
            out += ["Set its parameters first (the values shown are the defaults):", "", "```"]
            out += [f":param {k} => {_param_value(v)}" for k, v in query.params.items()]
            out += ["```", ""]
        out += ["```cypher", query.cypher, "```", ""]
    out += [
        "## The rest of the library",
        "",
        "These return rows, which Browser shows as a table; [queries.md](queries.md) has their",
        "text and what they answer. Set each parameter with `:param name => value` before",
        "running one; a parameter left unset is an error in Browser, so set the defaults too.",
        "",
        "| query | what it answers | parameters (default) |",
        "| --- | --- | --- |",
    ]
    for query in tables:
        params = ", ".join(f"`{k}` ({_param_value(v)})" for k, v in query.params.items())
        out.append(f"| `{query.name}` | {query.title} | {params or 'none'} |")
    out.append("")
    return "\n".join(out)
