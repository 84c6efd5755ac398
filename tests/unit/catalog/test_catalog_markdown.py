"""The catalog renders as Markdown tables that list every entry and stay well-formed."""

from __future__ import annotations

import re
from pathlib import Path

from kg.catalog import catalog_markdown, load_catalog, read_catalog
from tests.unit.catalog.conftest import edit, entry

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _tables(markdown: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_every_layer_service_kind_and_control_is_listed_once() -> None:
    catalog = load_catalog()
    markdown = catalog_markdown(catalog)
    for control in catalog.controls:
        assert markdown.count(f"| `{control.id}` |") == 1, control.id
    for service in catalog.services:
        assert f"| `{service.id}` |" in markdown
    for kind in catalog.check_kinds:
        assert f"### `{kind.id}`" in markdown
    for layer in catalog.layers:
        heading = f"### {layer.title} ({len(catalog.controls_at(layer.id))})"
        assert heading in markdown


def test_every_table_row_has_as_many_cells_as_its_header() -> None:
    for table in _tables(catalog_markdown(load_catalog())):
        widths = {len(UNESCAPED_PIPE.findall(row)) for row in table}
        assert len(widths) == 1, table[0]


def test_pipes_and_asterisks_in_text_cannot_break_the_table(catalog_dir: Path) -> None:
    edit(
        catalog_dir,
        "controls_resources.yaml",
        lambda entries: entry(entries, "RES-KMS-ROTATION").__setitem__(
            "title", "Keys | rotate *yearly*"
        ),
    )
    markdown = catalog_markdown(read_catalog(catalog_dir))
    assert r"Keys \| rotate \*yearly\*" in markdown
    for table in _tables(markdown):
        assert len({len(UNESCAPED_PIPE.findall(row)) for row in table}) == 1


def test_check_params_are_shown_verbatim_in_code() -> None:
    markdown = catalog_markdown(load_catalog())
    row = next(line for line in markdown.splitlines() if "`OU-SCP-DENY-ROOT-USER`" in line)
    assert "`org_policy_denies_actions`" in row
    assert "principal_arn: arn:aws:iam::*:root`" in row  # inside the code span, not escaped
    flow_logs = next(line for line in markdown.splitlines() if "`NET-VPC-FLOW-LOGS`" in line)
    assert "other_where: status equals ACTIVE" in flow_logs


def test_inferred_mappings_are_marked() -> None:
    catalog = load_catalog()
    markdown = catalog_markdown(catalog)
    inferred = next(control for control in catalog.controls if control.inferred)
    row = next(line for line in markdown.splitlines() if f"`{inferred.id}`" in line)
    assert f"{inferred.title} †" in row
