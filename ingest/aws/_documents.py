"""Policy documents as IAM and Organizations return them, turned into the JSON text stored on
policy nodes.

IAM hands documents out as objects (boto3, the AWS CLI) or as URL-encoded JSON text (the raw
API); Organizations gives policy content as JSON text. Documents in the IAM policy grammar
(identity, trust, service and resource control policies) are normalized so that "Statement" is
always a list; management policies (tag, backup, declarative, S3, ...) have their own grammar and
are kept as written. A document that cannot be read is a malformed snapshot: the error names the
file and the field.
"""

from __future__ import annotations

import json
from typing import Any

from ingest.aws._shapes import policy_document
from kg.analysis.policy.document import load_document
from kg.analysis.policy.errors import PolicyError
from kg.errors import SnapshotError


def _load(raw: Any, where: str) -> dict[str, Any]:
    try:
        return load_document(raw, source=where)
    except PolicyError as exc:
        raise SnapshotError(str(exc)) from None


def iam_policy_text(raw: Any, where: str) -> str:
    """An IAM-grammar document (object, JSON text or URL-encoded JSON text), normalized."""
    return policy_document(_load(raw, where), where)


def management_policy_text(raw: Any, where: str) -> str:
    """A management policy's content (its own grammar), as canonical JSON text."""
    return json.dumps(_load(raw, where), sort_keys=True)
