"""Check generated responses against botocore's own output shapes.

Every key must be a member of the operation's output shape, every value of the member's type
(enums included), and every required member present. Two things boto3 does after parsing are
allowed for: IAM policy documents arrive decoded into objects, and S3 answers a null location
constraint for us-east-1. A few enum values live AWS returns beyond the model are accepted.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.model import Shape

_SESSION = botocore.session.get_session()
_DECODED_POLICY_SHAPES = {"policyDocumentType"}
_NULLABLE = {"BucketLocationConstraint"}
# Values live AWS answers that the service model's enum does not list (documented in the EC2
# API reference examples): an attached internet gateway is "available", endpoint states are
# lower case, and a NAT gateway's interface has type "nat_gateway".
_LIVE_VALUES = {
    "AttachmentStatus": {"available"},
    "State": {"available", "pending", "deleted"},
    "NetworkInterfaceType": {"nat_gateway"},
}


@cache
def output_shape(client: str, method: str) -> Shape:
    model = _SESSION.get_service_model(client)
    operations = {xform_name(op): op for op in model.operation_names}
    shape = model.operation_model(operations[method]).output_shape
    assert shape is not None, f"{client}.{method} has no output"
    return shape


def _scalar_errors(data: Any, shape: Shape, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "string":
        if shape.name in _DECODED_POLICY_SHAPES and isinstance(data, dict):
            return []
        if not isinstance(data, str):
            return [f"{path}: expected a string, found {type(data).__name__}"]
        enum = shape.metadata.get("enum")
        if enum and data not in enum and data not in _LIVE_VALUES.get(shape.name, ()):
            return [f"{path}: {data!r} is not one of {shape.name}'s values"]
        return []
    if kind in ("integer", "long"):
        ok = isinstance(data, int) and not isinstance(data, bool)
    elif kind == "boolean":
        ok = isinstance(data, bool)
    elif kind in ("double", "float"):
        ok = isinstance(data, int | float) and not isinstance(data, bool)
    elif kind == "timestamp":
        ok = isinstance(data, str) and _is_iso(data)
    else:  # blob and anything exotic: stored as text
        ok = isinstance(data, str)
    return [] if ok else [f"{path}: {data!r} is not a valid {kind}"]


def _is_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def shape_errors(data: Any, shape: Shape, path: str = "$") -> list[str]:
    """Every way `data` differs from what boto3 could return for `shape`."""
    if data is None:
        return [] if shape.name in _NULLABLE else [f"{path}: null is not a {shape.type_name}"]
    if shape.type_name == "structure":
        if not isinstance(data, dict):
            return [f"{path}: expected an object"]
        members = shape.members  # type: ignore[attr-defined]
        errors = [
            f"{path}: missing required {name}"
            for name in shape.required_members
            if name not in data
        ]  # type: ignore[attr-defined]
        for key, value in data.items():
            if key not in members:
                errors.append(f"{path}.{key}: not a member of {shape.name}")
            else:
                errors += shape_errors(value, members[key], f"{path}.{key}")
        return errors
    if shape.type_name == "list":
        if not isinstance(data, list):
            return [f"{path}: expected a list"]
        member = shape.member  # type: ignore[attr-defined]
        return [
            e for i, item in enumerate(data) for e in shape_errors(item, member, f"{path}[{i}]")
        ]
    if shape.type_name == "map":
        if not isinstance(data, dict):
            return [f"{path}: expected an object"]
        value_shape = shape.value  # type: ignore[attr-defined]
        return [e for k, v in data.items() for e in shape_errors(v, value_shape, f"{path}.{k}")]
    return _scalar_errors(data, shape, path)


def response_errors(client: str, method: str, data: Any) -> list[str]:
    return shape_errors(data, output_shape(client, method), f"{client}.{method}")
