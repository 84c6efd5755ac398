"""The query library: the named .cypher files shipped in the `queries` package.

The CLI's views and Neo4j Browser users run the same text, so an answer on the command line can
always be reproduced, and questioned, in Browser.
"""

from __future__ import annotations

import re
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
