"""A real headless browser for the tests: Debian's Chromium, run once per question (the DOM after
the page's scripts ran, or a screenshot), and a small PNG reader to tell a blank screenshot.

No Chromium fails the test that needs it, saying how to install it: `.ci/run` installs it."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

WINDOW = (1280, 900)
TIME_BUDGET_MS = 5000  # virtual time the page's scripts get before the DOM or picture is taken
TIMEOUT_S = 180


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is needed for the browser tests: apt-get install chromium")
    return found


def _run(
    page: Path, *args: str, window: tuple[int, int] = WINDOW, fragment: str = ""
) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        return subprocess.run(
            [
                chromium(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={window[0]},{window[1]}",
                f"--virtual-time-budget={TIME_BUDGET_MS}",
                *args,
                page.resolve().as_uri() + (f"#{fragment}" if fragment else ""),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )


def dump_dom(page: Path, fragment: str = "") -> str:
    """The page's DOM once its scripts have run (opened at #fragment, if given)."""
    result = _run(page, "--dump-dom", fragment=fragment)
    assert result.returncode == 0 and result.stdout, result.stderr[-2000:]
    return result.stdout


def screenshot(page: Path, out: Path, window: tuple[int, int] = WINDOW, fragment: str = "") -> Path:
    """A PNG of the page's first screen (the window's size)."""
    result = _run(page, f"--screenshot={out.resolve()}", window=window, fragment=fragment)
    assert result.returncode == 0 and out.exists(), result.stderr[-2000:]
    return out


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB or RGBA PNG (what Chromium
    writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat = 8, b""
    width = height = channels = 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG depth {depth} type {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + best) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def distinct_colours(path: Path, step: int = 4) -> int:
    """How many distinct colours a sample of the picture's pixels has (a blank page: one)."""
    width, _, rows = png_pixels(path)
    channels = len(rows[0]) // width
    seen = set()
    for row in rows[::step]:
        for x in range(0, width, step):
            seen.add(row[x * channels : x * channels + 3])
    return len(seen)


if __name__ == "__main__":
    # python -m tests.browser PAGE PNG [FRAGMENT]: the picture in docs/ (docs/report.md).
    import sys

    fragment = sys.argv[3] if len(sys.argv) > 3 else ""
    screenshot(Path(sys.argv[1]), Path(sys.argv[2]), window=(1280, 1800), fragment=fragment)
