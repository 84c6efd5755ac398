"""Any one wrong value in any response file: the transform succeeds or names the file in one line.

Each example takes the demo snapshot, changes one value somewhere in one response file (a string
for a number, a list for an object, null, a huge or long number, a deep nest, a lone surrogate,
text that looks like Cypher, a missing field) and runs the pure transform and the schema check
that comes before any write. A KgError is the only failure allowed: anything else would be a
traceback for whoever made the snapshot.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.load import transform_snapshot
from ingest.snapshot import MANIFEST, Snapshot
from kg.errors import KgError
from kg.graph.writer import validate
from kg.model import load_schema

DEMO = Path(__file__).resolve().parents[3] / "ingest" / "example" / "demo_snapshot"
RESPONSES = sorted(
    path.relative_to(DEMO).as_posix() for path in DEMO.rglob("*.json") if path.name != MANIFEST
)
# A transform of the demo takes a fraction of a second; KG_HOSTILE_EXAMPLES searches harder.
EXAMPLES = int(os.environ.get("KG_HOSTILE_EXAMPLES", "30"))
SPLICE = "__kg_replaced_value__"
DELETE = object()

Place = tuple[str | int, ...]

# Replacement values as JSON text, so that values json.dumps would refuse to write can be tried.
REPLACEMENTS = st.one_of(
    st.integers().map(str),
    st.sampled_from([str(2**64), str(-(2**63) - 1), "1" * 5000, "1e400", "-0.0", "NaN"]),
    st.floats(allow_nan=False, allow_infinity=False).map(json.dumps),
    st.sampled_from(["true", "false", "null", "{}", "[]", '""', '{"k": "v"}', '[1, "a", null]']),
    st.text(max_size=40).map(json.dumps),
    st.sampled_from(
        [
            json.dumps("x'}) DETACH DELETE n //"),
            json.dumps('"}) MATCH (n) DETACH DELETE n RETURN 1 //'),
            json.dumps("arn:aws:iam::111122223333:role/é\u202e😀"),
            '"\\ud800"',
        ]
    ),
    st.integers(min_value=2, max_value=6000).map(lambda n: "[" * n + "]" * n),
    st.integers(min_value=2, max_value=6000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    # a policy document is JSON text inside a string: nested there, too
    st.integers(min_value=2, max_value=6000).map(lambda n: json.dumps("[" * n + "]" * n)),
    st.just(DELETE),
)


def _places(value: Any, at: Place = ()) -> Iterator[Place]:
    """Every place in a JSON document, the document itself first."""
    yield at
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _places(child, (*at, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _places(child, (*at, index))


def _mutated(document: Any, place: Place, replacement: Any) -> str:
    """The document as JSON text, with the value at `place` replaced (or removed)."""
    if not place:
        return "{}" if replacement is DELETE else str(replacement)
    parent = document
    for step in place[:-1]:
        parent = parent[step]
    if replacement is DELETE:
        del parent[place[-1]]
        return json.dumps(document)
    parent[place[-1]] = SPLICE
    return json.dumps(document).replace(json.dumps(SPLICE), replacement, 1)


@pytest.fixture(scope="module")
def snapshot_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("hostile") / "snapshot"
    shutil.copytree(DEMO, copy)
    return copy


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_one_wrong_value_fails_in_one_line_naming_the_file(
    snapshot_copy: Path, data: st.DataObject
) -> None:
    relative = data.draw(st.sampled_from(RESPONSES), label="file")
    path = snapshot_copy / relative
    original = path.read_text(encoding="utf-8")
    document = json.loads(original)
    place = data.draw(st.sampled_from(list(_places(document))), label="place")
    path.write_text(_mutated(document, place, data.draw(REPLACEMENTS)), encoding="utf-8")
    try:
        validate(transform_snapshot(Snapshot.open(snapshot_copy)), load_schema())
    except KgError as exc:
        message = str(exc)
        assert len(message.splitlines()) == 1, message
        assert relative in message
    finally:
        path.write_text(original, encoding="utf-8")


def test_a_policy_nested_deep_inside_its_json_text(snapshot_copy: Path) -> None:
    """Policies are JSON text inside a response, parsed apart: a random search seldom gets there."""
    relative = "444455556666/global/s3/get_bucket_policy/payments-prod-artifacts-444455556666.json"
    path = snapshot_copy / relative
    original = path.read_text(encoding="utf-8")
    path.write_text(json.dumps({"Policy": "[" * 5000 + "]" * 5000}), encoding="utf-8")
    try:
        with pytest.raises(KgError, match=r"nested") as raised:
            transform_snapshot(Snapshot.open(snapshot_copy))
        [line] = str(raised.value).splitlines()
        assert f"{relative}.Policy" in line
    finally:
        path.write_text(original, encoding="utf-8")
