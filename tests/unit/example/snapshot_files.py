"""Walk a snapshot folder as (client, method, key, response) tuples."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote


def responses(root: Path) -> Iterator[tuple[str, str, str | None, Any]]:
    for path in sorted(root.rglob("*.json")):
        parts = path.relative_to(root).parts
        if len(parts) == 4:  # <account>/<region>/<client>/<method>.json
            yield parts[2], parts[3][: -len(".json")], None, json.loads(path.read_text())
        elif len(parts) == 5:  # <account>/<region>/<client>/<method>/<key>.json
            key = unquote(parts[4][: -len(".json")])
            yield parts[2], parts[3], key, json.loads(path.read_text())


def relative_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
