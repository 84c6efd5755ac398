"""Harness plumbing: size lists, the snapshot cache, and the loopback-only collection setup."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from bench.collect_bench import UnimplementedAsError, loopback_only
from bench.run import parse_sizes, synthetic_snapshot


def test_sizes_are_distinct_and_ascending() -> None:
    assert parse_sizes("1000, 10,100,10") == [10, 100, 1000]


@pytest.mark.parametrize("text", ["10,ten", "", "0,10"])
def test_bad_size_lists_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_sizes(text)


def test_a_cached_snapshot_is_reused_without_generating(tmp_path: Path) -> None:
    cached = tmp_path / "cache" / "synthetic-10-seed7"
    cached.mkdir(parents=True)
    (cached / "manifest.json").write_text("{}", encoding="utf-8")
    assert synthetic_snapshot(tmp_path, 10, 7) == (cached, None)


def test_only_loopback_names_resolve_while_collecting() -> None:
    with loopback_only():
        prefixed = socket.getaddrinfo("123456789012.127.0.0.1", 80, proto=socket.IPPROTO_TCP)
        assert {info[4][0] for info in prefixed} == {"127.0.0.1"}
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo("sts.amazonaws.com", 443)
    assert socket.getaddrinfo.__module__ == "socket"


def _failing_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise NotImplementedError("The list_graphs action has not been implemented")


def _ok_app(environ: dict[str, Any], start_response: Any) -> Any:
    start_response("200 OK", [("Content-Type", "text/xml")])
    return [b"<ok/>"]


def test_an_api_moto_lacks_answers_a_non_retryable_aws_error() -> None:
    response = Client(UnimplementedAsError(_failing_app)).post("/")
    assert response.status_code == 501
    assert response.headers["x-amzn-ErrorType"] == "NotImplemented"
    assert b"<Code>NotImplemented</Code>" in response.data


def test_answers_moto_has_pass_through_unchanged() -> None:
    response = Client(UnimplementedAsError(_ok_app)).get("/")
    assert (response.status_code, response.data) == (200, b"<ok/>")
