"""The query library's headers are the contract between the CLI and Neo4j Browser users."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kg import queries
from kg.cli import query_cmd
from kg.errors import ConfigError, KgError

GOOD = """// name: demo
// title: A demo
// description: Shows parameters.
// params: account_id, limit=10
MATCH (a:Account {account_id: $account_id}) RETURN a LIMIT $limit
"""


def test_header_and_defaults_are_parsed() -> None:
    query = queries.parse_query("demo.cypher", GOOD)
    assert query.name == "demo"
    assert query.params == {"account_id": None, "limit": 10}
    assert query.bind({"account_id": "1"}) == {"account_id": "1", "limit": 10}


def test_undeclared_parameter_is_rejected_by_name() -> None:
    query = queries.parse_query("demo.cypher", GOOD)
    with pytest.raises(ConfigError, match="has no parameter acount_id"):
        query.bind({"acount_id": "1"})


def test_header_must_declare_every_parameter_the_query_uses() -> None:
    text = GOOD.replace("// params: account_id, limit=10\n", "// params: account_id\n")
    with pytest.raises(KgError, match="parameters used"):
        queries.parse_query("demo.cypher", text)


def test_every_shipped_query_has_a_unique_name_and_title() -> None:
    library = queries.library()
    assert library, "the query library is empty"
    for name, query in library.items():
        assert name == query.name and query.title and query.description


def test_docs_queries_md_is_generated_from_the_library() -> None:
    root = Path(__file__).resolve().parents[2]
    assert (root / "docs" / "queries.md").read_text() == queries.library_markdown()


def test_graph_view_queries_are_bounded() -> None:
    """Browser draws what a browser-* query returns: on 1,000 accounts it must stay small."""
    browser = [q for name, q in queries.library().items() if name.startswith("browser-")]
    assert browser
    for query in browser:
        assert "LIMIT" in query.cypher, f"{query.name} has no LIMIT"


def test_docs_browser_md_is_generated_from_the_library() -> None:
    """Regenerate docs/browser.md (make docs) whenever a query changes."""
    root = Path(__file__).resolve().parents[2]
    assert (root / "docs" / "browser.md").read_text() == queries.browser_markdown()


def test_the_browser_guide_lists_every_query_and_sets_every_parameter() -> None:
    guide = queries.browser_markdown()
    for name, query in queries.library().items():
        assert f"`{name}`" in guide
        if name.startswith("browser-"):
            assert query.cypher in guide
            for param in query.params:
                assert f":param {param} => " in guide


def test_the_example_of_kg_query_help_names_a_query_of_the_library() -> None:
    app = typer.Typer()
    query_cmd.register(app)
    shown = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    examples = re.findall(r"Example: kg query ([a-z0-9-]+)", shown)
    assert examples, shown
    for example in examples:
        assert example in queries.library()


def test_docs_favorites_zip_is_generated_from_the_library() -> None:
    """Regenerate docs/browser/kg-favorites.zip (make docs) whenever a query changes."""
    root = Path(__file__).resolve().parents[2]
    assert (root / "docs" / "browser" / "kg-favorites.zip").read_bytes() == queries.favorites_zip()


def test_the_favorites_zip_holds_every_query_as_browser_reads_it() -> None:
    """Browser imports each .cypher file of a dropped zip, in the folder its path names, and
    names the favorite by its first line."""
    with zipfile.ZipFile(io.BytesIO(queries.favorites_zip())) as archive:
        files = {info.filename: archive.read(info).decode() for info in archive.infolist()}
    library = queries.library()
    assert sorted(path.rsplit("/", 1)[1].removesuffix(".cypher") for path in files) == sorted(
        library
    )
    for path, text in files.items():
        folder, file_name = path.split("/")
        query = library[file_name.removesuffix(".cypher")]
        assert folder == ("kg graph views" if query.name.startswith("browser-") else "kg tables")
        assert text.splitlines()[0] == f"// {query.title}"
        assert query.cypher in text
        for param in query.params:
            assert f":param {param} => " in text
