"""Deterministic, realistic-looking AWS identifiers and timestamps, derived from names.

Generated snapshots must be byte-identical from one run to the next, and one resource is named
in many responses (an instance profile in IAM and in EC2, a security group in an instance and in
a load balancer). Deriving every identifier from a namespace and the resource's names gives both:
any module computes the same id for the same resource, with no shared registry and no randomness.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(2021, 1, 4, tzinfo=UTC)
_SPAN_SECONDS = 900 * 24 * 3600  # resources were created over about two and a half years


class Ids:
    """Identifier factory for one generated snapshot (the namespace keeps snapshots apart)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def digest(self, *parts: str) -> bytes:
        text = "|".join((self.namespace, *parts))
        return hashlib.blake2b(text.encode(), digest_size=20).digest()

    def hex(self, length: int, *parts: str) -> str:
        return self.digest(*parts).hex()[:length]

    def number(self, modulo: int, *parts: str) -> int:
        return int.from_bytes(self.digest(*parts)[:8], "big") % modulo

    def lower(self, length: int, *parts: str) -> str:
        """Lower-case letters and digits, as in organization, root, OU and policy ids."""
        return base64.b32encode(self.digest(*parts)).decode().lower()[:length]

    def upper(self, length: int, *parts: str) -> str:
        return base64.b32encode(self.digest(*parts)).decode()[:length]

    def ec2(self, prefix: str, *parts: str) -> str:
        """An EC2-style id such as sg-0123456789abcdef0 (17 hex digits)."""
        return f"{prefix}-{self.hex(17, prefix, *parts)}"

    def unique_id(self, prefix: str, *parts: str) -> str:
        """An IAM unique id (AROA..., AIDA..., ANPA...): prefix and 17 upper-case characters."""
        return prefix + self.upper(17, prefix, *parts)

    def uuid(self, *parts: str) -> str:
        h = self.hex(32, *parts)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def timestamp(self, *parts: str) -> str:
        """A creation time in the past, stable for the same names."""
        moment = _EPOCH + timedelta(seconds=self.number(_SPAN_SECONDS, "time", *parts))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def public_ip(self, *parts: str) -> str:
        """An address in one of EC2's public ranges (3.208.0.0/12, 18.208.0.0/13, 54.80.0.0/12)."""
        n = self.number(1 << 32, "ip", *parts)
        first, second = ((3, 208 + n % 16), (18, 208 + n % 8), (54, 80 + n % 16))[n % 3]
        return f"{first}.{second}.{(n >> 8) % 256}.{max(1, (n >> 16) % 255)}"
